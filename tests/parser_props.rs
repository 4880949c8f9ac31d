//! Property tests: whatever a QR code or a keyboard sends, the parser neither panics
//! nor rewrites a code, and every well-formed voucher code is accepted as scanned.

use proptest::prelude::*;
use voucher_pos::voucher::{parse, parse_bytes, MAX_VOUCHERS};

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn any_text_is_accepted_unchanged_or_refused_with_a_code(s in "\\PC{0,1200}|[rsg:v_,\\-a-zA-Z0-9\u{202E}\u{0}<>]{0,80}") {
        match parse(&s) {
            Ok(code) => {
                prop_assert_eq!(code.as_str(), s.trim_matches(|c: char| c.is_ascii_whitespace()));
                prop_assert!((1..=MAX_VOUCHERS).contains(&code.voucher_count()));
                prop_assert!(!code.as_str().contains(['<', '>', '"', '\'', '&']), "markup got through: {}", code.as_str());
            }
            Err(e) => prop_assert!(e.code().starts_with("code_")),
        }
    }

    #[test]
    fn any_bytes_are_handled(b in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = parse_bytes(&b);
    }

    #[test]
    fn every_well_formed_code_is_accepted_as_scanned(
        word in proptest::option::of("[a-z0-9]{1,10}"),
        ids in proptest::collection::vec("v_[A-Za-z0-9]{21}", 1..=MAX_VOUCHERS),
    ) {
        let prefix = word.map(|w| format!("rsg-{w}")).unwrap_or_else(|| "rsg".into());
        let text = format!("{prefix}:{}", ids.join(","));
        let code = parse(&text).unwrap();
        prop_assert_eq!(code.as_str(), text.as_str());
        prop_assert_eq!(code.ids().count(), ids.len());
    }
}
