//! Property tests: whatever a QR code or a keyboard sends, the parser neither panics
//! nor rewrites a code, and every well-formed voucher code is accepted as scanned.

use proptest::prelude::*;
use voucher_pos::domain::voucher::{parse, parse_bytes, MAX_VOUCHERS};

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
            Err(e) => prop_assert!(e.code().as_str().starts_with("code_")),
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Every stage of the decoding pipeline on random frames: it never panics and
    /// never returns a code that is not there.
    #[test]
    fn random_frames_never_panic_the_pipeline_or_yield_a_code(
        w in 8u32..200,
        h in 8u32..200,
        seed in any::<u64>(),
        blocky in any::<bool>(),
    ) {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        // Blocky frames look more like codes (black and white cells) than noise does.
        let cell = if blocky { rng.gen_range(2..8) } else { 1 };
        let luma: Vec<u8> = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w / cell, i / w / cell);
                let v = ((x as u64).wrapping_mul(2654435761) ^ (y as u64).wrapping_mul(40503) ^ seed).wrapping_mul(0x9E3779B97F4A7C15) >> 63;
                if blocky { (v as u8) * 255 } else { rng.gen() }
            })
            .collect();
        let frame = voucher_pos::scan::Frame::new(w, h, luma);
        prop_assert!(voucher_pos::scan::decode::pipeline(&frame).is_empty());
    }
}
