//! `rsm witness`: a party's C2SP `tlog-witness` server. It cosigns a log's checkpoints only
//! when each is consistent with the last one it cosigned, so the host cannot show two parties
//! different histories without a witness noticing.

use std::{
    io::Write as _,
    path::{Path, PathBuf},
    sync::Arc,
};

use anyhow::{Context, bail};
use base64::{Engine as _, engine::general_purpose::STANDARD as B64};
use clap::Args;
use rsm_ledger::{CosignatureSigner, NoteVerifier, Witness};
use rsm_web::witness::{StateFile, WitnessService};

/// First word of a witness key file.
const WITNESS_KEY_TAG: &str = "RSM-WITNESS-KEY";

#[derive(Debug, Args)]
pub struct WitnessArgs {
    /// The witness's key name, e.g. `witness.kr.example` (it appears in cosignature lines
    /// and in the log's policy file).
    #[arg(long)]
    name: String,
    /// Folder for the witness key (`witness.key`, made on first start, owner-only) and its
    /// state (`witness.state`: the latest size and root cosigned per log).
    #[arg(long)]
    dir: PathBuf,
    /// Verifier key of a log to witness (the `vkey` of `rsm ledger info URL`, checked with
    /// the secretariat out of band). Repeat for several logs.
    #[arg(long = "log-vkey", required = true)]
    log_vkeys: Vec<String>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:7380")]
    listen: String,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Host name for the policy line's https URL (must be in the certificate); the listening
    /// address when absent.
    #[arg(long)]
    public_host: Option<String>,
    /// Print the witness's policy line (name, vkey, URL) and exit.
    #[arg(long)]
    print_policy_line: bool,
}

/// Reads the witness key, or makes one (owner-only permissions) on first start.
pub fn load_or_create_key(path: &Path, name: &str) -> anyhow::Result<CosignatureSigner> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let seed = crate::ledger::getrandom32()?;
            let signer = CosignatureSigner::from_seed(name, &seed)
                .map_err(|e| anyhow::anyhow!("witness name {name:?}: {e}"))?;
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            let mut f = opts
                .open(path)
                .with_context(|| format!("creating {}", path.display()))?;
            f.write_all(format!("{WITNESS_KEY_TAG} {name} {}\n", B64.encode(seed)).as_bytes())?;
            f.sync_all()?;
            return Ok(signer);
        }
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let mut words = text.split_whitespace();
    let (Some(WITNESS_KEY_TAG), Some(stored), Some(b64), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        bail!("{}: not an rsm witness key file", path.display());
    };
    if stored != name {
        bail!(
            "{} is the key of witness {stored:?}, not {name:?}",
            path.display()
        );
    }
    let seed: [u8; 32] = B64
        .decode(b64)
        .ok()
        .and_then(|v| v.try_into().ok())
        .with_context(|| format!("{}: the key is not 32 base64 bytes", path.display()))?;
    CosignatureSigner::from_seed(name, &seed).map_err(|e| anyhow::anyhow!("{e}"))
}

/// Builds a witness service from its folder and the logs it follows.
pub fn open_service(
    dir: &Path,
    name: &str,
    log_vkeys: &[String],
) -> anyhow::Result<Arc<WitnessService>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let signer = load_or_create_key(&dir.join("witness.key"), name)?;
    let mut witness = Witness::new(signer);
    for vkey in log_vkeys {
        let v = NoteVerifier::from_vkey(vkey)
            .map_err(|e| anyhow::anyhow!("--log-vkey {vkey:?}: {e}"))?;
        let origin = v.name().to_owned();
        witness.add_log(&origin, v);
    }
    Ok(WitnessService::open(
        witness,
        StateFile::new(dir.join("witness.state")),
        Arc::new(rsm_web::clock::SystemClock),
    )?)
}

pub async fn run(args: WitnessArgs) -> anyhow::Result<()> {
    let svc = open_service(&args.dir, &args.name, &args.log_vkeys)?;
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let read =
                |p: &PathBuf| std::fs::read(p).with_context(|| format!("reading {}", p.display()));
            Some(
                rsm_web::witness::tls_config(&read(cert)?, &read(key)?)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", cert.display()))?,
            )
        }
        _ => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let line = |addr: &str| {
        let host = match &args.public_host {
            Some(h) => match addr.rsplit_once(':') {
                Some((_, port)) => format!("{h}:{port}"),
                None => h.clone(),
            },
            None => addr.to_owned(),
        };
        format!(
            "witness {} {} {scheme}://{host}",
            args.name.replace(['.', '/'], "-"),
            svc.verifier().to_vkey()
        )
    };
    if args.print_policy_line {
        println!("{}", line(&args.listen));
        return Ok(());
    }
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let addr = listener.local_addr()?.to_string();
    println!("rsm witness {} serving on {scheme}://{addr}/", args.name);
    println!("policy line for the log: {}", line(&addr));
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match tls {
        Some(tls) => rsm_web::witness::serve_tls(listener, svc, tls, shutdown).await?,
        None => rsm_web::witness::serve(listener, svc, shutdown).await?,
    }
    Ok(())
}
