//! C2SP `tlog-cosignature` (cosignature/v1) witness cosignatures.

/// The message a `cosignature/v1` signs: `cosignature/v1\ntime <t>\n` + checkpoint text.
pub fn cosigned_message(checkpoint_text: &str, timestamp: u64) -> Vec<u8> {
    let mut m = format!("cosignature/v1\ntime {timestamp}\n").into_bytes();
    m.extend_from_slice(checkpoint_text.as_bytes());
    m
}
