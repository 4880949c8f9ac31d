//! Voucher code shape checks.
//!
//! A voucher QR code is plain text the terminal must send to the service unchanged
//! (`rsg:v_a,v_b`). The terminal only checks its *shape* so that a website address, a
//! loyalty card or a hostile payload is refused at the counter with a reason a cashier
//! can read, instead of becoming an intent. The parser never rewrites the code: the
//! service, not the terminal, decides whether the vouchers are good.

use crate::ErrorCode;
use std::collections::BTreeSet;
use std::fmt;

/// Most voucher ids one code may carry (RedeemSG's limit).
pub const MAX_VOUCHERS: usize = 15;
/// Longest code text accepted; a 15-voucher code is about 360 characters.
pub const MAX_CODE_LEN: usize = 1000;
/// Longest single voucher id accepted.
pub const MAX_ID_LEN: usize = 64;
/// Longest campaign word in `rsg-<word>:`.
pub const MAX_PREFIX_WORD_LEN: usize = 32;

/// A code whose shape is that of a voucher code. `text` is exactly what will be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherCode {
    text: String,
    prefix_len: usize,
    distinct_ids: usize,
}

impl VoucherCode {
    /// The code as it will be sent to the service.
    pub fn as_str(&self) -> &str {
        &self.text
    }
    /// `rsg` or `rsg-<word>`, without the colon.
    pub fn prefix(&self) -> &str {
        &self.text[..self.prefix_len]
    }
    /// The campaign word of an `rsg-<word>:` code, if any.
    pub fn campaign_word(&self) -> Option<&str> {
        self.prefix().strip_prefix("rsg-")
    }
    /// Voucher ids in the order scanned (duplicates kept, as sent).
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.text[self.prefix_len + 1..].split(',')
    }
    /// How many different vouchers the code carries (a repeated id counts once, as the
    /// service counts it).
    /// How the code appears in logs: its prefix and first voucher id, never the
    /// whole code (a full code is a bearer token worth money until redeemed).
    pub fn log_form(&self) -> String {
        log_form(self.as_str())
    }

    pub fn voucher_count(&self) -> usize {
        self.distinct_ids
    }
}

impl fmt::Display for VoucherCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Why a scanned text is not a voucher code. Each has a stable [`CodeError::code`] and
/// a message written for the cashier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("Nothing was scanned.")]
    Empty,
    #[error("This is binary data, not a voucher code.")]
    NotText,
    #[error("This is a website address, not a voucher code.")]
    WebAddress,
    #[error("This code contains hidden control characters; it is not a voucher code.")]
    ControlCharacters,
    #[error("This code is too long to be a voucher code ({len} characters; at most {max}).")]
    TooLong { len: usize, max: usize },
    #[error("Not a voucher code: voucher codes start with \"rsg:\".")]
    NotVoucher,
    #[error("The campaign prefix \"{0}\" is malformed.")]
    BadPrefix(String),
    #[error("This code has no voucher ids.")]
    NoVouchers,
    #[error("Too many vouchers in one code ({count}; at most {max}).")]
    TooManyVouchers { count: usize, max: usize },
    #[error("Voucher {position} in this code is malformed.")]
    BadVoucherId { position: usize },
}

impl CodeError {
    /// A stable identifier the UI and scripts can switch on.
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            CodeError::Empty => ErrorCode::CodeEmpty,
            CodeError::NotText => ErrorCode::CodeNotText,
            CodeError::WebAddress => ErrorCode::CodeWebAddress,
            CodeError::ControlCharacters => ErrorCode::CodeControlCharacters,
            CodeError::TooLong { .. } => ErrorCode::CodeTooLong,
            CodeError::NotVoucher => ErrorCode::CodeNotVoucher,
            CodeError::BadPrefix(_) => ErrorCode::CodeBadPrefix,
            CodeError::NoVouchers => ErrorCode::CodeNoVouchers,
            CodeError::TooManyVouchers { .. } => ErrorCode::CodeTooManyVouchers,
            CodeError::BadVoucherId { .. } => ErrorCode::CodeBadVoucherId,
        }
    }
}

/// Parses raw bytes from a decoder: a QR code may carry binary or invalid UTF-8.
pub fn parse_bytes(bytes: &[u8]) -> Result<VoucherCode, CodeError> {
    let text = std::str::from_utf8(bytes).map_err(|_| CodeError::NotText)?;
    parse(text)
}

/// Checks the shape of scanned or typed text. Surrounding ASCII white space (a
/// handheld scanner's line ending, a pasted newline) is not part of the code and is
/// dropped; nothing inside the code is changed.
/// A code as logs may show it: `rsg:v_enT791…(+2)`: the prefix, the first voucher
/// id cut to 8 characters, and how many more.
pub fn log_form(code: &str) -> String {
    let (prefix, rest) = code.split_once(':').unwrap_or(("?", code));
    let mut ids = rest.split(',');
    let first: String = ids.next().unwrap_or("").chars().take(8).collect();
    let more = ids.count();
    if more > 0 {
        format!("{prefix}:{first}…(+{more})")
    } else {
        format!("{prefix}:{first}…")
    }
}

pub fn parse(raw: &str) -> Result<VoucherCode, CodeError> {
    let text = raw.trim_matches(|c: char| c.is_ascii_whitespace());
    if text.is_empty() {
        return Err(CodeError::Empty);
    }
    if text.chars().any(is_hidden_control) {
        return Err(CodeError::ControlCharacters);
    }
    let lower_start: String = text.chars().take(12).collect::<String>().to_ascii_lowercase();
    if ["http://", "https://", "www."].iter().any(|p| lower_start.starts_with(p)) {
        return Err(CodeError::WebAddress);
    }
    let len = text.chars().count();
    if len > MAX_CODE_LEN {
        return Err(CodeError::TooLong { len, max: MAX_CODE_LEN });
    }
    let Some(colon) = text.find(':') else {
        return Err(CodeError::NotVoucher);
    };
    let prefix = &text[..colon];
    if prefix != "rsg" {
        let Some(word) = prefix.strip_prefix("rsg-") else {
            return Err(CodeError::NotVoucher);
        };
        let ok =
            !word.is_empty() && word.len() <= MAX_PREFIX_WORD_LEN && word.bytes().all(|b| b.is_ascii_alphanumeric());
        if !ok {
            return Err(CodeError::BadPrefix(prefix.chars().take(40).collect()));
        }
    }
    let rest = &text[colon + 1..];
    if rest.is_empty() {
        return Err(CodeError::NoVouchers);
    }
    let ids: Vec<&str> = rest.split(',').collect();
    if ids.len() > MAX_VOUCHERS {
        return Err(CodeError::TooManyVouchers { count: ids.len(), max: MAX_VOUCHERS });
    }
    for (i, id) in ids.iter().enumerate() {
        let ok = !id.is_empty()
            && id.len() <= MAX_ID_LEN
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !ok {
            return Err(CodeError::BadVoucherId { position: i + 1 });
        }
    }
    let distinct_ids = ids.iter().collect::<BTreeSet<_>>().len();
    Ok(VoucherCode { text: text.to_owned(), prefix_len: colon, distinct_ids })
}

/// Control characters and the Unicode format characters that can reorder or hide text
/// on screen (bidirectional overrides, zero-width joiners, BOM).
pub fn is_hidden_control(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_code_is_accepted_and_kept_unchanged() {
        let c = parse("rsg:v_enT791mQRuqgi03OhaNQB,v_x").unwrap();
        assert_eq!(c.as_str(), "rsg:v_enT791mQRuqgi03OhaNQB,v_x");
        assert_eq!(c.prefix(), "rsg");
        assert_eq!(c.voucher_count(), 2);
        assert_eq!(c.ids().collect::<Vec<_>>(), ["v_enT791mQRuqgi03OhaNQB", "v_x"]);
    }

    #[test]
    fn a_campaign_prefix_is_accepted() {
        let c = parse("rsg-cfhp:v_1").unwrap();
        assert_eq!(c.campaign_word(), Some("cfhp"));
    }

    #[test]
    fn a_scanner_line_ending_is_not_part_of_the_code() {
        assert_eq!(parse("rsg:v_1\r\n").unwrap().as_str(), "rsg:v_1");
    }

    #[test]
    fn fifteen_vouchers_pass_and_sixteen_are_refused() {
        let ids: Vec<String> = (0..16).map(|i| format!("v_{i:021}")).collect();
        let fifteen = format!("rsg:{}", ids[..15].join(","));
        assert_eq!(parse(&fifteen).unwrap().voucher_count(), 15);
        let sixteen = format!("rsg:{}", ids.join(","));
        assert_eq!(parse(&sixteen), Err(CodeError::TooManyVouchers { count: 16, max: 15 }));
    }

    #[test]
    fn a_repeated_id_counts_once() {
        assert_eq!(parse("rsg:v_a,v_a,v_b").unwrap().voucher_count(), 2);
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(parse("https://evil.example/rsg:v_1"), Err(CodeError::WebAddress));
        assert_eq!(parse("WWW.shop.example"), Err(CodeError::WebAddress));
        assert_eq!(parse("  "), Err(CodeError::Empty));
        assert_eq!(parse("loyalty:123"), Err(CodeError::NotVoucher));
        assert_eq!(parse("rsg-:v_1"), Err(CodeError::BadPrefix("rsg-".into())));
        assert_eq!(parse("rsg:"), Err(CodeError::NoVouchers));
        assert_eq!(parse("rsg:v_1,,v_2"), Err(CodeError::BadVoucherId { position: 2 }));
        assert_eq!(parse("rsg:v_1,<script>"), Err(CodeError::BadVoucherId { position: 2 }));
        assert_eq!(parse("rsg:v_\u{202E}1"), Err(CodeError::ControlCharacters));
        assert_eq!(parse("rsg:v_1\u{0}"), Err(CodeError::ControlCharacters));
        assert_eq!(parse_bytes(&[b'r', b's', b'g', b':', 0xff, 0xfe]), Err(CodeError::NotText));
        let long = format!("rsg:{}", "a".repeat(4096));
        assert!(matches!(parse(&long), Err(CodeError::TooLong { .. })));
    }

    #[test]
    fn every_refusal_has_a_distinct_stable_code() {
        let errors = [
            CodeError::Empty,
            CodeError::NotText,
            CodeError::WebAddress,
            CodeError::ControlCharacters,
            CodeError::TooLong { len: 0, max: 0 },
            CodeError::NotVoucher,
            CodeError::BadPrefix(String::new()),
            CodeError::NoVouchers,
            CodeError::TooManyVouchers { count: 0, max: 0 },
            CodeError::BadVoucherId { position: 0 },
        ];
        let codes: BTreeSet<_> = errors.iter().map(CodeError::code).collect();
        assert_eq!(codes.len(), errors.len());
    }
}
