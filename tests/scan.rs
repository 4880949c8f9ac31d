//! The scanner from pixels to parsed codes: generated QR images through the real
//! decoder, the image-file source, the live pipeline, and `voucher-pos decode`.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use voucher_pos::domain::voucher::CodeError;
use voucher_pos::scan::decode::{pipeline, rqrr_full, Decoded, GuardedDecoder};
use voucher_pos::scan::pipeline::{ScanEvent, Scanner, ScannerConfig};
use voucher_pos::scan::sources::{paste, render_qr, DemoSource, ImageFiles};
use voucher_pos::scan::{Frame, FrameSource, SourceError};

fn code_with(n: usize) -> String {
    format!("rsg:{}", (0..n).map(|i| format!("v_{:021}", i * 7919)).collect::<Vec<_>>().join(","))
}

fn on_background(code: &Frame, w: u32, h: u32) -> Frame {
    let mut f = Frame::new(w, h, vec![190; (w * h) as usize]);
    paste(&mut f, code, ((w - code.width) / 2) as i64, ((h - code.height) / 2) as i64);
    f
}

#[test]
fn a_fifteen_voucher_code_decodes_in_a_720p_frame() {
    let text = code_with(15);
    assert!(text.len() > 350, "a 15-voucher code is about 360 characters");
    let frame = on_background(&render_qr(text.as_bytes(), 5), 1280, 720);
    let found = pipeline(&frame);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].payload, text.as_bytes());
}

#[test]
fn the_half_size_pass_finds_the_same_code_as_the_full_frame() {
    for n in [1, 5] {
        let text = code_with(n);
        let frame = on_background(&render_qr(text.as_bytes(), 8), 1920, 1080);
        assert_eq!(pipeline(&frame)[0].payload, rqrr_full(&frame)[0].payload);
    }
}

#[test]
fn the_outline_surrounds_the_code() {
    let code = render_qr(code_with(1).as_bytes(), 6);
    let frame = on_background(&code, 1280, 720);
    let d = &pipeline(&frame)[0];
    let (x0, y0) = ((1280 - code.width) / 2, (720 - code.height) / 2);
    for (x, y) in d.corners {
        assert!(x >= x0 as f32 - 4.0 && x <= (x0 + code.width) as f32 + 4.0, "corner x {x}");
        assert!(y >= y0 as f32 - 4.0 && y <= (y0 + code.height) as f32 + 4.0, "corner y {y}");
    }
}

#[test]
fn random_pixels_never_break_the_decoder_for_the_next_real_code() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let mut d = GuardedDecoder::new(pipeline, Duration::from_secs(2));
    for _ in 0..40 {
        let (w, h) = (rng.gen_range(1..300), rng.gen_range(1..300));
        let luma = (0..w * h).map(|_| if rng.gen_bool(0.5) { 0 } else { 255 }).collect();
        d.decode(Arc::new(Frame::new(w, h, luma)));
    }
    let real = on_background(&render_qr(code_with(2).as_bytes(), 6), 640, 480);
    match d.decode(Arc::new(real)) {
        Decoded::Found(f) => assert_eq!(f[0].payload, code_with(2).as_bytes()),
        other => panic!("after hostile frames the decoder answered {other:?}"),
    }
}

fn write_png(dir: &std::path::Path, name: &str, f: &Frame) -> std::path::PathBuf {
    let p = dir.join(name);
    image::GrayImage::from_raw(f.width, f.height, f.luma.clone()).unwrap().save(&p).unwrap();
    p
}

#[test]
fn image_files_play_in_name_order_and_say_when_there_are_none() {
    let dir = tempfile::tempdir().unwrap();
    write_png(dir.path(), "b.png", &Frame::new(2, 1, vec![0, 0]));
    write_png(dir.path(), "a.png", &Frame::new(1, 1, vec![0]));
    std::fs::write(dir.path().join("notes.txt"), "not an image").unwrap();
    let mut src = ImageFiles::open(dir.path(), 1000.0, false).unwrap();
    assert_eq!(src.next_frame().unwrap().width, 1);
    assert_eq!(src.next_frame().unwrap().width, 2);
    assert_eq!(src.next_frame(), Err(SourceError::Ended));
    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(ImageFiles::open(empty.path(), 10.0, true), Err(SourceError::NoImages(_))));
}

fn collect_codes(source: Box<dyn FrameSource>, want: usize) -> Vec<Result<String, CodeError>> {
    let seen: Arc<Mutex<Vec<Result<String, CodeError>>>> = Arc::default();
    let sink = seen.clone();
    let scanner = Scanner::start(source, ScannerConfig::default(), move |e| {
        if let ScanEvent::Code { parsed, .. } = e {
            sink.lock().unwrap().push(parsed.map(|c| c.as_str().to_string()));
        }
    });
    assert!(
        common::wait_until(Duration::from_secs(20), || seen.lock().unwrap().len() >= want),
        "the scanner read {:?}",
        seen.lock().unwrap()
    );
    drop(scanner);
    let v = seen.lock().unwrap().clone();
    v
}

#[test]
fn a_code_held_in_view_is_read_once_and_a_website_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let voucher = on_background(&render_qr(code_with(3).as_bytes(), 6), 640, 480);
    let website = on_background(&render_qr(b"https://example.com/win", 6), 640, 480);
    for n in 0..6 {
        write_png(dir.path(), &format!("{n:02}a.png"), &voucher);
    }
    write_png(dir.path(), "10b.png", &website);
    let codes = collect_codes(Box::new(ImageFiles::open(dir.path(), 30.0, false).unwrap()), 2);
    assert_eq!(codes, vec![Ok(code_with(3)), Err(CodeError::WebAddress)]);
}

#[test]
fn binary_and_hostile_payloads_are_refused_not_shown_as_vouchers() {
    let dir = tempfile::tempdir().unwrap();
    let payloads: [&[u8]; 3] = [
        &[b'r', b's', b'g', b':', 0xff, 0xfe, 0x00],
        "rsg:v_1<script>alert(1)</script>".as_bytes(),
        "rsg:v_\u{202E}1".as_bytes(),
    ];
    // Each held in view for several frames, as a customer holds a phone: the scanner
    // keeps only the newest frame, so a code shown for one frame may be skipped when
    // the decoder is busy (the repeat filter reads each once).
    for (n, payload) in payloads.iter().enumerate() {
        let frame = on_background(&render_qr(payload, 6), 640, 480);
        for k in 0..6 {
            write_png(dir.path(), &format!("{n}{k}.png"), &frame);
        }
    }
    let codes = collect_codes(Box::new(ImageFiles::open(dir.path(), 30.0, false).unwrap()), 3);
    // The first payload's bytes are read as the QR standard says byte mode is read
    // without an ECI (ISO-8859-1): "rsg:ÿþ" and a NUL, refused for its control
    // character. (A decoder that returns raw bytes refuses it as not text; either
    // way it never reaches the service.)
    assert_eq!(
        codes,
        vec![
            Err(CodeError::ControlCharacters),
            Err(CodeError::BadVoucherId { position: 1 }),
            Err(CodeError::ControlCharacters)
        ]
    );
}

#[test]
fn the_demo_source_shows_its_codes() {
    let codes = vec![code_with(1), code_with(2)];
    let read = collect_codes(Box::new(DemoSource::new(&codes, 640, 480)), 1);
    assert_eq!(read[0], Ok(code_with(1)));
}

#[test]
fn the_decode_command_prints_one_line_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let a = write_png(dir.path(), "voucher.png", &on_background(&render_qr(code_with(15).as_bytes(), 4), 1280, 720));
    let b = write_png(dir.path(), "blank.png", &Frame::new(64, 64, vec![255; 64 * 64]));
    let out = std::process::Command::new(common::sandbox::workspace_bin("voucher-pos"))
        .arg("decode")
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout, format!("{}\t{}\n{}\t-\n", a.display(), code_with(15), b.display()));
}

/// The zxing-qr photos (see `shared/corpora/zxing-qr/README.md`), when they are beside
/// the project or named by `ZXING_QR_CORPUS`; never committed, so a clone without
/// them skips this test (and says so).
fn zxing_corpus() -> Option<std::path::PathBuf> {
    let p = std::env::var_os("ZXING_QR_CORPUS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| common::manifest_dir().join("../shared/corpora/zxing-qr"));
    p.is_dir().then_some(p)
}

/// The floor the README states: "The terminal's pipeline reads N of the 82 zxing-qr
/// photos exactly".
fn readme_floor() -> usize {
    let readme = std::fs::read_to_string(common::manifest_dir().join("README.md")).unwrap();
    let at = readme.find(" of the 82 zxing-qr photos exactly").expect("the README states the corpus figure");
    let digits: String = readme[..at]
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit() || *c == '*')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().expect("a number before the phrase")
}

#[test]
fn the_pipeline_reads_at_least_the_readmes_count_of_real_photos() {
    let Some(corpus) = zxing_corpus() else {
        // CI always has shared/ beside the clone: there a missing corpus is a broken
        // setup, never a pass. A developer's clone without it skips, and says so.
        assert!(
            std::env::var_os("CI").is_none(),
            "the zxing-qr corpus is missing in CI (shared/corpora/zxing-qr beside the clone, or ZXING_QR_CORPUS)"
        );
        eprintln!("zxing-qr corpus not found beside the project: skipped (set ZXING_QR_CORPUS to run it)");
        return;
    };
    let (mut read, mut total) = (0, 0);
    for dir in ["qrcode-1", "qrcode-2", "qrcode-3"] {
        let mut files: Vec<_> = std::fs::read_dir(corpus.join(dir))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e != "txt"))
            .collect();
        files.sort();
        for img in files {
            let Ok(expected) = std::fs::read(img.with_extension("txt")) else { continue };
            let frame = voucher_pos::scan::sources::load_frame(&img).unwrap();
            total += 1;
            let found = pipeline(&frame);
            if found.iter().any(|d| d.payload == expected) {
                read += 1;
            }
        }
    }
    assert_eq!(total, 82);
    let floor = readme_floor();
    assert!(read >= floor, "the pipeline read {read} of {total} photos exactly; the README states {floor}");
    eprintln!("zxing-qr: {read} of {total} read exactly (README floor {floor})");
}
