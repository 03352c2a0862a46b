//! Configuration: built-in defaults, then `rsm.toml`, then `RSM_*` environment variables.
//!
//! Unknown keys are errors in both the file and the environment, so a typo never passes
//! silently. The database URL may carry a password; `Debug` redacts it.

use std::{fmt, path::Path, time::Duration};

use anyhow::{Context, bail};
use serde::Deserialize;

/// The settings of a running RSM.
#[derive(Clone)]
pub struct Config {
    /// `sqlite://PATH` (default `sqlite://rsm.db`) or `postgres://…`.
    pub database_url: String,
    /// Address to listen on.
    pub listen: String,
    /// Mark session cookies `Secure`; turn off only for plain-HTTP localhost.
    pub secure_cookies: bool,
    pub session_hours: u32,
    pub body_limit_kib: u32,
    pub request_timeout_secs: u32,
    /// A tracing filter, e.g. `info` or `rsm_web=debug,info`.
    pub log: String,
    /// `text` or `json`.
    pub log_format: String,
    /// The notification log's origin line (checkpoints name it).
    pub ledger_origin: String,
    /// The secretariat's log signing key file; next to the SQLite database when empty
    /// (`<db>.ledger-key`), created on first start.
    pub ledger_key_file: String,
    /// Interval between checkpoints, in milliseconds.
    pub ledger_checkpoint_ms: u32,
    /// A witness policy file (C2SP format: `log`, `witness NAME VKEY URL`, `group`,
    /// `quorum`); when set, a checkpoint is published only once a quorum of its witnesses
    /// has cosigned it. Empty: checkpoints carry the log's signature alone.
    pub ledger_witness_policy: String,
    /// A PEM file of root certificates that `https://` witness URLs are checked against
    /// (a private CA of the parties' witnesses); empty: Mozilla's roots.
    pub ledger_witness_ca: String,
    /// Serve HTTPS with this certificate chain (PEM, as certbot or rcgen write it); needs
    /// `tls_key`. Empty: plain HTTP (behind a TLS-terminating proxy).
    pub tls_cert: String,
    /// The private key of `tls_cert` (PEM).
    pub tls_key: String,
    /// The SMTP server for e-mail notices; empty: no mail is sent (notices stay queued).
    pub smtp_host: String,
    pub smtp_port: u16,
    /// The `From:` mailbox, e.g. `RSM Secretariat <notices@rsm.example>`.
    pub smtp_from: String,
    /// `starttls` (default), `tls` (implicit, port 465) or `none` (a local relay only).
    pub smtp_tls: String,
    pub smtp_username: String,
    /// Redacted in `Debug`.
    pub smtp_password: String,
    /// Local hour (in each recipient's zone) after which the daily digest goes out.
    pub mail_digest_hour: u8,
    /// Seconds between rounds of the mail sender.
    pub mail_poll_secs: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://rsm.db".into(),
            listen: "127.0.0.1:8080".into(),
            secure_cookies: true,
            session_hours: 12,
            body_limit_kib: 64,
            request_timeout_secs: 30,
            log: "info".into(),
            log_format: "text".into(),
            ledger_origin: "rsm.example/log".into(),
            ledger_key_file: String::new(),
            ledger_checkpoint_ms: 1000,
            ledger_witness_policy: String::new(),
            ledger_witness_ca: String::new(),
            tls_cert: String::new(),
            tls_key: String::new(),
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_from: "RSM <notices@rsm.example>".into(),
            smtp_tls: "starttls".into(),
            smtp_username: String::new(),
            smtp_password: String::new(),
            mail_digest_hour: 7,
            mail_poll_secs: 30,
        }
    }
}

/// Replaces a URL's password with `***`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("listen", &self.listen)
            .field("secure_cookies", &self.secure_cookies)
            .field("session_hours", &self.session_hours)
            .field("body_limit_kib", &self.body_limit_kib)
            .field("request_timeout_secs", &self.request_timeout_secs)
            .field("log", &self.log)
            .field("log_format", &self.log_format)
            .field("ledger_origin", &self.ledger_origin)
            .field("ledger_key_file", &self.ledger_key_file)
            .field("ledger_checkpoint_ms", &self.ledger_checkpoint_ms)
            .field("ledger_witness_policy", &self.ledger_witness_policy)
            .field("ledger_witness_ca", &self.ledger_witness_ca)
            .field("tls_cert", &self.tls_cert)
            .field("tls_key", &self.tls_key)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_from", &self.smtp_from)
            .field("smtp_tls", &self.smtp_tls)
            .field("smtp_username", &self.smtp_username)
            .field(
                "smtp_password",
                &if self.smtp_password.is_empty() {
                    ""
                } else {
                    "***"
                },
            )
            .field("mail_digest_hour", &self.mail_digest_hour)
            .field("mail_poll_secs", &self.mail_poll_secs)
            .finish()
    }
}

/// The file's keys; every one optional, none unknown.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Layer {
    database_url: Option<String>,
    listen: Option<String>,
    secure_cookies: Option<bool>,
    session_hours: Option<u32>,
    body_limit_kib: Option<u32>,
    request_timeout_secs: Option<u32>,
    log: Option<String>,
    log_format: Option<String>,
    ledger_origin: Option<String>,
    ledger_key_file: Option<String>,
    ledger_checkpoint_ms: Option<u32>,
    ledger_witness_policy: Option<String>,
    ledger_witness_ca: Option<String>,
    tls_cert: Option<String>,
    tls_key: Option<String>,
    smtp_host: Option<String>,
    smtp_port: Option<u16>,
    smtp_from: Option<String>,
    smtp_tls: Option<String>,
    smtp_username: Option<String>,
    smtp_password: Option<String>,
    mail_digest_hour: Option<u8>,
    mail_poll_secs: Option<u32>,
}

const KEYS: [&str; 23] = [
    "database_url",
    "listen",
    "secure_cookies",
    "session_hours",
    "body_limit_kib",
    "request_timeout_secs",
    "log",
    "log_format",
    "ledger_origin",
    "ledger_key_file",
    "ledger_checkpoint_ms",
    "ledger_witness_policy",
    "ledger_witness_ca",
    "tls_cert",
    "tls_key",
    "smtp_host",
    "smtp_port",
    "smtp_from",
    "smtp_tls",
    "smtp_username",
    "smtp_password",
    "mail_digest_hour",
    "mail_poll_secs",
];

impl Config {
    /// Loads defaults, then `file` (if it exists, or fails if it was named explicitly and
    /// is missing), then the `RSM_*` variables of `env`.
    pub fn load(
        file: &Path,
        file_required: bool,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let mut config = Self::default();
        if file.exists() {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("reading {}", file.display()))?;
            let layer: Layer =
                toml::from_str(&text).with_context(|| format!("in {}", file.display()))?;
            config.apply(layer);
        } else if file_required {
            bail!("configuration file {} does not exist", file.display());
        }
        let mut layer = Layer::default();
        for (key, value) in env {
            let Some(name) = key.strip_prefix("RSM_") else {
                continue;
            };
            // RSM_TEST_* belongs to the test suite (e.g. RSM_TEST_POSTGRES_URL), not to rsm.
            if name.starts_with("TEST_") {
                continue;
            }
            let name = name.to_ascii_lowercase();
            let bad = |rule: &str| anyhow::anyhow!("{key}={value:?}: {rule}");
            match name.as_str() {
                // Read by clap for the command line: the config file, and the party-side
                // commands' server, token and CA.
                "config" | "ca" | "server" | "token" => {}
                "database_url" => layer.database_url = Some(value),
                "listen" => layer.listen = Some(value),
                "secure_cookies" => {
                    layer.secure_cookies =
                        Some(value.parse().map_err(|_| bad("must be true or false"))?)
                }
                "session_hours" => {
                    layer.session_hours =
                        Some(value.parse().map_err(|_| bad("must be a whole number"))?)
                }
                "body_limit_kib" => {
                    layer.body_limit_kib =
                        Some(value.parse().map_err(|_| bad("must be a whole number"))?)
                }
                "request_timeout_secs" => {
                    layer.request_timeout_secs =
                        Some(value.parse().map_err(|_| bad("must be a whole number"))?)
                }
                "log" => layer.log = Some(value),
                "log_format" => layer.log_format = Some(value),
                "ledger_origin" => layer.ledger_origin = Some(value),
                "ledger_key_file" => layer.ledger_key_file = Some(value),
                "ledger_checkpoint_ms" => {
                    layer.ledger_checkpoint_ms =
                        Some(value.parse().map_err(|_| bad("must be a whole number"))?)
                }
                "ledger_witness_policy" => layer.ledger_witness_policy = Some(value),
                "ledger_witness_ca" => layer.ledger_witness_ca = Some(value),
                "tls_cert" => layer.tls_cert = Some(value),
                "tls_key" => layer.tls_key = Some(value),
                "smtp_host" => layer.smtp_host = Some(value),
                "smtp_port" => {
                    layer.smtp_port = Some(value.parse().map_err(|_| bad("must be a port number"))?)
                }
                "smtp_from" => layer.smtp_from = Some(value),
                "smtp_tls" => layer.smtp_tls = Some(value),
                "smtp_username" => layer.smtp_username = Some(value),
                "smtp_password" => layer.smtp_password = Some(value),
                "mail_digest_hour" => {
                    layer.mail_digest_hour =
                        Some(value.parse().map_err(|_| bad("must be a whole number"))?)
                }
                "mail_poll_secs" => {
                    layer.mail_poll_secs =
                        Some(value.parse().map_err(|_| bad("must be a whole number"))?)
                }
                _ => bail!(
                    "unknown setting {key}: known are RSM_CONFIG, RSM_SERVER, RSM_TOKEN and {}",
                    KEYS.map(|k| format!("RSM_{}", k.to_ascii_uppercase()))
                        .join(", ")
                ),
            }
        }
        config.apply(layer);
        config.check()?;
        Ok(config)
    }

    fn apply(&mut self, l: Layer) {
        if let Some(v) = l.database_url {
            self.database_url = v;
        }
        if let Some(v) = l.listen {
            self.listen = v;
        }
        if let Some(v) = l.secure_cookies {
            self.secure_cookies = v;
        }
        if let Some(v) = l.session_hours {
            self.session_hours = v;
        }
        if let Some(v) = l.body_limit_kib {
            self.body_limit_kib = v;
        }
        if let Some(v) = l.request_timeout_secs {
            self.request_timeout_secs = v;
        }
        if let Some(v) = l.log {
            self.log = v;
        }
        if let Some(v) = l.log_format {
            self.log_format = v;
        }
        if let Some(v) = l.ledger_origin {
            self.ledger_origin = v;
        }
        if let Some(v) = l.ledger_key_file {
            self.ledger_key_file = v;
        }
        if let Some(v) = l.ledger_checkpoint_ms {
            self.ledger_checkpoint_ms = v;
        }
        if let Some(v) = l.ledger_witness_policy {
            self.ledger_witness_policy = v;
        }
        if let Some(v) = l.ledger_witness_ca {
            self.ledger_witness_ca = v;
        }
        if let Some(v) = l.tls_cert {
            self.tls_cert = v;
        }
        if let Some(v) = l.tls_key {
            self.tls_key = v;
        }
        if let Some(v) = l.smtp_host {
            self.smtp_host = v;
        }
        if let Some(v) = l.smtp_port {
            self.smtp_port = v;
        }
        if let Some(v) = l.smtp_from {
            self.smtp_from = v;
        }
        if let Some(v) = l.smtp_tls {
            self.smtp_tls = v;
        }
        if let Some(v) = l.smtp_username {
            self.smtp_username = v;
        }
        if let Some(v) = l.smtp_password {
            self.smtp_password = v;
        }
        if let Some(v) = l.mail_digest_hour {
            self.mail_digest_hour = v;
        }
        if let Some(v) = l.mail_poll_secs {
            self.mail_poll_secs = v;
        }
    }

    fn check(&self) -> anyhow::Result<()> {
        rsm_store::Backend::of_url(&self.database_url)
            .with_context(|| format!("database_url {}", redact_url(&self.database_url)))?;
        if !(1..=24 * 30).contains(&self.session_hours) {
            bail!("session_hours must be between 1 and 720");
        }
        if !(1..=100 * 1024).contains(&self.body_limit_kib) {
            bail!("body_limit_kib must be between 1 and 102400");
        }
        if !(1..=3600).contains(&self.request_timeout_secs) {
            bail!("request_timeout_secs must be between 1 and 3600");
        }
        if !(10..=600_000).contains(&self.ledger_checkpoint_ms) {
            bail!("ledger_checkpoint_ms must be between 10 and 600000");
        }
        rsm_ledger::note::check_key_name(&self.ledger_origin)
            .with_context(|| format!("ledger_origin {:?}", self.ledger_origin))?;
        if !matches!(self.log_format.as_str(), "text" | "json") {
            bail!("log_format must be text or json");
        }
        if let Some(smtp) = self.smtp()? {
            rsm_web::mail::Mailer::new(&smtp).context("smtp settings")?;
        }
        if !(1..=3600).contains(&self.mail_poll_secs) {
            bail!("mail_poll_secs must be between 1 and 3600");
        }
        self.tls()?;
        Ok(())
    }

    /// The server's TLS setup, when `tls_cert` and `tls_key` are set (both or neither).
    pub fn tls(&self) -> anyhow::Result<Option<rsm_web::tls::ServerTls>> {
        match (self.tls_cert.trim(), self.tls_key.trim()) {
            ("", "") => Ok(None),
            ("", _) => bail!("tls_key is set: tls_cert must be set too"),
            (_, "") => bail!("tls_cert is set: tls_key must be set too"),
            (cert, key) => {
                let read = |what: &str, path: &str| {
                    std::fs::read(path).with_context(|| format!("{what} {path}: reading"))
                };
                let config =
                    rsm_web::tls::tls_config(&read("tls_cert", cert)?, &read("tls_key", key)?)
                        .map_err(|e| anyhow::anyhow!("tls_cert {cert} and tls_key {key}: {e}"))?;
                Ok(Some(config))
            }
        }
    }

    /// The SMTP settings, when a server is configured.
    pub fn smtp(&self) -> anyhow::Result<Option<rsm_web::mail::SmtpConfig>> {
        if self.smtp_host.trim().is_empty() {
            return Ok(None);
        }
        let tls = rsm_web::mail::SmtpTls::parse(&self.smtp_tls).with_context(|| {
            format!("smtp_tls {:?} must be starttls, tls or none", self.smtp_tls)
        })?;
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Ok(Some(rsm_web::mail::SmtpConfig {
            host: self.smtp_host.trim().to_owned(),
            port: self.smtp_port,
            from: self.smtp_from.clone(),
            tls,
            username: some(&self.smtp_username),
            password: some(&self.smtp_password),
            digest_hour: self.mail_digest_hour as i8,
        }))
    }

    /// The web layer's part of the settings.
    pub fn web(&self) -> rsm_web::WebConfig {
        rsm_web::WebConfig {
            secure_cookies: self.secure_cookies,
            session_ttl: jiff::SignedDuration::from_hours(i64::from(self.session_hours)),
            body_limit: self.body_limit_kib as usize * 1024,
            request_timeout: Duration::from_secs(u64::from(self.request_timeout_secs)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn tls_needs_both_files_and_names_the_one_at_fault() {
        let dir = tempfile::tempdir().unwrap();
        let none = dir.path().join("none.toml");
        let load = |pairs: &[(&str, &str)]| {
            Config::load(&none, false, env(pairs)).map_err(|e| format!("{e:#}"))
        };
        let err = load(&[("RSM_TLS_CERT", "/x/cert.pem")]).unwrap_err();
        assert!(err.contains("tls_key must be set too"), "{err}");
        let err = load(&[("RSM_TLS_KEY", "/x/key.pem")]).unwrap_err();
        assert!(err.contains("tls_cert must be set too"), "{err}");
        let missing = dir.path().join("missing.pem");
        let missing = missing.to_str().unwrap();
        let err = load(&[("RSM_TLS_CERT", missing), ("RSM_TLS_KEY", missing)]).unwrap_err();
        assert!(err.contains("tls_cert") && err.contains("reading"), "{err}");
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate").unwrap();
        let junk = junk.to_str().unwrap();
        let err = load(&[("RSM_TLS_CERT", junk), ("RSM_TLS_KEY", junk)]).unwrap_err();
        assert!(err.contains("no CERTIFICATE block"), "{err}");
        // The client-side CA is the command line's, not a server setting.
        assert!(load(&[("RSM_CA", "/x/ca.pem")]).is_ok());
        let c = load(&[]).unwrap();
        assert!(c.tls().unwrap().is_none(), "plain HTTP by default");
    }

    #[test]
    fn layers_apply_in_order_and_unknown_keys_fail() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("rsm.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\nsession_hours = 8\n").unwrap();
        let c = Config::load(
            &file,
            true,
            env(&[
                ("RSM_SESSION_HOURS", "4"),
                ("HOME", "/x"),
                ("RSM_TEST_POSTGRES_URL", "postgres://x"),
                ("RSM_TOKEN", "rsm_x"),
            ]),
        )
        .unwrap();
        assert_eq!(c.listen, "0.0.0.0:9000");
        assert_eq!(c.session_hours, 4, "environment overrides the file");

        std::fs::write(&file, "lisen = \"0.0.0.0:9000\"\n").unwrap();
        let err = format!("{:#}", Config::load(&file, true, env(&[])).unwrap_err());
        assert!(err.contains("unknown field `lisen`"), "{err}");
        let err = Config::load(
            &dir.path().join("none.toml"),
            false,
            env(&[("RSM_LSTEN", "x")]),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("unknown setting RSM_LSTEN"), "{err}");
        assert!(Config::load(&dir.path().join("none.toml"), true, env(&[])).is_err());
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let c = Config {
            database_url: "postgres://rsm:hunter2@db/rsm".into(),
            ..Config::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("postgres://rsm:***@db/rsm"), "{shown}");
        let c = Config {
            smtp_host: "smtp.example".into(),
            smtp_password: "mail-secret".into(),
            ..Config::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("mail-secret"), "{shown}");
    }

    #[test]
    fn smtp_settings_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let none = dir.path().join("none.toml");
        let c = Config::load(
            &none,
            false,
            env(&[
                ("RSM_SMTP_HOST", "127.0.0.1"),
                ("RSM_SMTP_PORT", "2525"),
                ("RSM_SMTP_TLS", "none"),
                ("RSM_SMTP_FROM", "RSM <notices@rsm.example>"),
            ]),
        )
        .unwrap();
        let smtp = c.smtp().unwrap().unwrap();
        assert_eq!((smtp.port, smtp.tls), (2525, rsm_web::mail::SmtpTls::None));
        assert!(
            Config::default().smtp().unwrap().is_none(),
            "no host: no mail"
        );
        let err = format!(
            "{:#}",
            Config::load(
                &none,
                false,
                env(&[("RSM_SMTP_HOST", "h"), ("RSM_SMTP_TLS", "ssl")])
            )
            .unwrap_err()
        );
        assert!(err.contains("smtp_tls"), "{err}");
        let err = format!(
            "{:#}",
            Config::load(
                &none,
                false,
                env(&[("RSM_SMTP_HOST", "h"), ("RSM_SMTP_FROM", "not a mailbox")])
            )
            .unwrap_err()
        );
        assert!(err.contains("smtp_from"), "{err}");
    }
}
