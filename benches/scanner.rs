//! Scanner benchmark: detection rate and time per frame for the terminal's pipeline
//! (rqrr, half-size pass first) beside full-frame rqrr and full-frame quircs, on a
//! corpus this bench generates (1, 5 and 15 vouchers; 640x480, 1280x720, 1920x1080;
//! clean, rotated, perspective, blurred, noisy, low-contrast, glare; and frames with
//! no code). When `shared/corpora/zxing-qr` is beside the project, its real photos
//! are scored too (exact matches). The camera's frame time at 30 fps, 33.3 ms, is the
//! physical limit printed beside the p95.
//!
//! Run: `cargo bench --bench scanner` (`FRAMES=N` frames per case, default 6).

use std::path::Path;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use voucher_pos::scan::decode::{pipeline, quircs_full, rqrr_full, rqrr_stage, rxing_full};
use voucher_pos::scan::sources::render_qr;
use voucher_pos::scan::Frame;

type Decoder = (&'static str, fn(&Frame) -> Vec<Vec<u8>>);

fn payloads(d: Vec<voucher_pos::scan::decode::Detection>) -> Vec<Vec<u8>> {
    d.into_iter().map(|d| d.payload).collect()
}
fn ours(f: &Frame) -> Vec<Vec<u8>> {
    payloads(pipeline(f))
}
fn stage1(f: &Frame) -> Vec<Vec<u8>> {
    payloads(rqrr_stage(f))
}
fn rqrr_whole(f: &Frame) -> Vec<Vec<u8>> {
    payloads(rqrr_full(f))
}
fn quircs_whole(f: &Frame) -> Vec<Vec<u8>> {
    payloads(quircs_full(f))
}
fn rxing_whole(f: &Frame) -> Vec<Vec<u8>> {
    payloads(rxing_full(f))
}

const DECODERS: [Decoder; 5] = [
    ("terminal pipeline", ours),
    ("rqrr stage alone (half first)", stage1),
    ("rqrr full frame", rqrr_whole),
    ("quircs full frame", quircs_whole),
    ("rxing full frame", rxing_whole),
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Distortion {
    Clean,
    Rotated,
    Perspective,
    Blur,
    Noise,
    LowContrast,
    Glare,
}

const DISTORTIONS: [Distortion; 7] = [
    Distortion::Clean,
    Distortion::Rotated,
    Distortion::Perspective,
    Distortion::Blur,
    Distortion::Noise,
    Distortion::LowContrast,
    Distortion::Glare,
];

fn code_text(n: usize, rng: &mut StdRng) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let ids: Vec<String> = (0..n)
        .map(|_| format!("v_{}", (0..21).map(|_| A[rng.gen_range(0..A.len())] as char).collect::<String>()))
        .collect();
    format!("rsg:{}", ids.join(","))
}

/// Samples `src` at fractional coordinates (bilinear), white outside.
fn sample(src: &Frame, x: f32, y: f32) -> u8 {
    if x < 0.0 || y < 0.0 || x >= (src.width - 1) as f32 || y >= (src.height - 1) as f32 {
        return 255;
    }
    let (x0, y0) = (x as usize, y as usize);
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let w = src.width as usize;
    let p = |xx: usize, yy: usize| src.luma[yy * w + xx] as f32;
    let top = p(x0, y0) * (1.0 - fx) + p(x0 + 1, y0) * fx;
    let bot = p(x0, y0 + 1) * (1.0 - fx) + p(x0 + 1, y0 + 1) * fx;
    (top * (1.0 - fy) + bot * fy) as u8
}

/// Draws `code` into a `w`x`h` scene with the distortion applied.
/// The demo source's background with no code: a moving sawtooth with sensor noise.
fn demo_background(w: u32, h: u32, t: u64, rng: &mut StdRng) -> Frame {
    Frame::new(
        w,
        h,
        (0..w * h)
            .map(|i| (150 + ((i % w) as u64 + t * 3) % 64 + rng.gen_range(0..24)).saturating_sub(12).min(255) as u8)
            .collect(),
    )
}

fn scene(code: &Frame, w: u32, h: u32, d: Distortion, rng: &mut StdRng) -> Frame {
    let mut f = Frame::new(w, h, (0..w * h).map(|i| 120 + ((i % w) * 60 / w) as u8 + rng.gen_range(0..10)).collect());
    let (cx, cy) = (w as f32 / 2.0 + rng.gen_range(-40.0..40.0), h as f32 / 2.0 + rng.gen_range(-30.0..30.0));
    let (hw, hh) = (code.width as f32 / 2.0, code.height as f32 / 2.0);
    let angle: f32 = if d == Distortion::Rotated {
        rng.gen_range(15.0f32..40.0).to_radians()
    } else {
        rng.gen_range(-3.0f32..3.0).to_radians()
    };
    let keystone = if d == Distortion::Perspective { rng.gen_range(0.25..0.4) } else { 0.0 };
    let (sin, cos) = angle.sin_cos();
    let reach = (hw.max(hh) * 1.6) as i64;
    for y in (cy as i64 - reach).max(0)..(cy as i64 + reach).min(h as i64) {
        for x in (cx as i64 - reach).max(0)..(cx as i64 + reach).min(w as i64) {
            let (dx, dy) = (x as f32 - cx, y as f32 - cy);
            // Inverse rotation, then an inverse keystone (rows near the top are narrower).
            let (mut u, v) = (dx * cos + dy * sin, -dx * sin + dy * cos);
            let squeeze = 1.0 - keystone * (0.5 - (v + hh) / (2.0 * hh)).max(-0.5);
            u /= squeeze;
            if u.abs() <= hw && v.abs() <= hh {
                f.luma[(y * w as i64 + x) as usize] = sample(code, u + hw, v + hh);
            }
        }
    }
    match d {
        Distortion::Blur => {
            let src = f.clone();
            let r = 1i64;
            for y in r..h as i64 - r {
                for x in r..w as i64 - r {
                    let mut s = 0u32;
                    for yy in -r..=r {
                        for xx in -r..=r {
                            s += src.luma[((y + yy) * w as i64 + x + xx) as usize] as u32;
                        }
                    }
                    f.luma[(y * w as i64 + x) as usize] = (s / 9) as u8;
                }
            }
        }
        Distortion::Noise => {
            f.luma.iter_mut().for_each(|p| *p = (*p as i32 + rng.gen_range(-45..45)).clamp(0, 255) as u8)
        }
        Distortion::LowContrast => f.luma.iter_mut().for_each(|p| *p = 100 + (*p as u32 * 60 / 255) as u8),
        Distortion::Glare => {
            let (gx, gy, gr) = (cx + rng.gen_range(-hw..hw) * 0.5, cy + rng.gen_range(-hh..hh) * 0.5, hw * 0.35);
            for (i, p) in f.luma.iter_mut().enumerate() {
                let (x, y) = ((i as u32 % w) as f32, (i as u32 / w) as f32);
                let d2 = ((x - gx).powi(2) + (y - gy).powi(2)) / (gr * gr);
                if d2 < 1.0 {
                    *p = (*p as f32 + (1.0 - d2) * 150.0).min(255.0) as u8;
                }
            }
        }
        _ => {}
    }
    f
}

struct Stats {
    hits: usize,
    total: usize,
    times: Vec<Duration>,
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3
}

/// The frame sizes of `all` to run: `SIZES` (like `640x480,1280x720`) picks some, the
/// test command's quick run only the smallest; unset, all of them.
fn sizes(all: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let Ok(wanted) = std::env::var("SIZES") else { return all.to_vec() };
    let picked: Vec<(u32, u32)> =
        all.iter().copied().filter(|(w, h)| wanted.split(',').any(|s| s.trim() == format!("{w}x{h}"))).collect();
    if picked.is_empty() {
        all[..1].to_vec()
    } else {
        picked
    }
}

fn main() {
    let per_case: usize = std::env::var("FRAMES").ok().and_then(|s| s.parse().ok()).unwrap_or(6);
    let mut rng = StdRng::seed_from_u64(2026);
    println!(
        "machine: {} cores, {}; {} frames per case; camera frame time at 30 fps: 33.3 ms",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        std::env::consts::ARCH,
        per_case
    );
    println!(
        "\n| frame | vouchers | distortion | {} |",
        DECODERS.iter().map(|d| format!("{} det / p50 / p95 ms", d.0)).collect::<Vec<_>>().join(" | ")
    );
    println!("|---|---|---|{}", "---|".repeat(DECODERS.len()));
    let mut at720: Vec<Stats> = DECODERS.iter().map(|_| Stats { hits: 0, total: 0, times: vec![] }).collect();
    for (w, h) in sizes(&[(640, 480), (1280, 720), (1920, 1080)]) {
        for n in [1usize, 5, 15, 0] {
            for d in DISTORTIONS {
                if n == 0 && d != Distortion::Clean && d != Distortion::Noise {
                    continue;
                }
                let mut row: Vec<Stats> = DECODERS.iter().map(|_| Stats { hits: 0, total: 0, times: vec![] }).collect();
                for _ in 0..per_case {
                    let text = if n == 0 { String::new() } else { code_text(n, &mut rng) };
                    let frame = if n == 0 {
                        scene(&Frame::new(1, 1, vec![255]), w, h, d, &mut rng)
                    } else {
                        let modules = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
                            .unwrap()
                            .width() as u32
                            + 8;
                        // The code fills about half the frame height, as a phone held at the counter does.
                        let px = ((h as f32 * rng.gen_range(0.4..0.6)) / modules as f32).max(2.0) as u32;
                        scene(&render_qr(text.as_bytes(), px), w, h, d, &mut rng)
                    };
                    for (k, (_, dec)) in DECODERS.iter().enumerate() {
                        let t = Instant::now();
                        let found = dec(&frame);
                        let took = t.elapsed();
                        let hit = if n == 0 { found.is_empty() } else { found.iter().any(|p| p == text.as_bytes()) };
                        row[k].hits += hit as usize;
                        row[k].total += 1;
                        row[k].times.push(took);
                        if w == 1280 {
                            at720[k].hits += hit as usize;
                            at720[k].total += 1;
                            at720[k].times.push(took);
                        }
                    }
                }
                let cells: Vec<String> = row
                    .iter_mut()
                    .map(|s| {
                        format!(
                            "{:>3.0}% / {:>6.1} / {:>6.1}",
                            100.0 * s.hits as f64 / s.total as f64,
                            pct(&mut s.times, 0.5),
                            pct(&mut s.times, 0.95)
                        )
                    })
                    .collect();
                let label = if n == 0 { "none (must find nothing)".to_string() } else { n.to_string() };
                println!("| {w}x{h} | {label} | {d:?} | {} |", cells.join(" | "));
            }
        }
    }
    println!("\n1280x720 overall (all cases above at that size):");
    for (k, s) in at720.iter_mut().enumerate().filter(|(_, s)| s.total > 0) {
        let (p50, p95) = (pct(&mut s.times, 0.5), pct(&mut s.times, 0.95));
        println!(
            "  {:<28} detection {:>5.1}%  p50 {:>6.1} ms  p95 {:>6.1} ms  (p95 = {:.2}x the 33.3 ms frame time)",
            DECODERS[k].0,
            100.0 * s.hits as f64 / s.total as f64,
            p50,
            p95,
            p95 / 33.3
        );
    }

    // The camera loop's empty-frame gate (src/scan/gate.rs): what a frame with no
    // code costs, beside the full pipeline on the same frames and the camera's frame
    // time; and how often a frame with a code passes it at once (a frame it misses
    // waits for the full pass it still runs every 900 ms).
    println!("\nEmpty frames through the camera loop's gate (the demo source's moving, noisy background):");
    for (w, h) in sizes(&[(1280, 720), (1920, 1080)]) {
        let (mut gate_t, mut full_t, mut passed) = (vec![], vec![], 0);
        for t in 0..per_case as u64 * 5 {
            let frame = demo_background(w, h, t, &mut rng);
            let started = Instant::now();
            passed += voucher_pos::scan::gate::may_hold_code(&frame) as usize;
            gate_t.push(started.elapsed());
            let started = Instant::now();
            let _ = pipeline(&frame);
            full_t.push(started.elapsed());
        }
        let n = gate_t.len();
        let (g50, g95, f50) = (pct(&mut gate_t, 0.5), pct(&mut gate_t, 0.95), pct(&mut full_t, 0.5));
        println!(
            "  {w}x{h}: gate p50 {g50:.2} ms, p95 {g95:.2} ms ({:.3}x the 33.3 ms frame time); the full pipeline p50 {f50:.1} ms ({:.0}x the gate); {passed} of {n} empty frames passed (each costs a full decode)",
            g95 / 33.3,
            f50 / g50.max(1e-6)
        );
    }
    let mut coded = 0;
    let mut through = 0;
    for (w, h) in sizes(&[(640, 480), (1280, 720), (1920, 1080)]) {
        for n in [1usize, 5, 15] {
            for d in DISTORTIONS {
                let text = code_text(n, &mut rng);
                let modules = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
                    .unwrap()
                    .width() as u32
                    + 8;
                let px = ((h as f32 * rng.gen_range(0.4..0.6)) / modules as f32).max(2.0) as u32;
                let frame = scene(&render_qr(text.as_bytes(), px), w, h, d, &mut rng);
                coded += 1;
                through += voucher_pos::scan::gate::may_hold_code(&frame) as usize;
            }
        }
    }
    println!("  generated frames with a code: {through} of {coded} pass the gate at once");

    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/zxing-qr");
    if corpus.is_dir() {
        let mut totals = vec![0usize; DECODERS.len()];
        let mut times: Vec<Vec<Duration>> = DECODERS.iter().map(|_| vec![]).collect();
        let mut n = 0;
        let mut gate_read = 0;
        for dir in ["qrcode-1", "qrcode-2", "qrcode-3"] {
            let mut per_dir = vec![0usize; DECODERS.len()];
            let mut in_dir = 0;
            let Ok(entries) = std::fs::read_dir(corpus.join(dir)) else { continue };
            let mut files: Vec<_> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e != "txt"))
                .collect();
            // `PHOTOS`: at most this many of each folder (the quick run's few).
            files.sort();
            files.truncate(std::env::var("PHOTOS").ok().and_then(|s| s.parse().ok()).unwrap_or(usize::MAX));
            for img in files {
                let Ok(expected) = std::fs::read(img.with_extension("txt")) else { continue };
                let Ok(frame) = voucher_pos::scan::sources::load_frame(&img) else { continue };
                n += 1;
                in_dir += 1;
                for (k, (_, dec)) in DECODERS.iter().enumerate() {
                    let t = Instant::now();
                    let found = dec(&frame);
                    times[k].push(t.elapsed());
                    if found.contains(&expected) {
                        totals[k] += 1;
                        per_dir[k] += 1;
                        if k == 0 {
                            gate_read += voucher_pos::scan::gate::may_hold_code(&frame) as usize;
                        }
                    }
                }
            }
            println!(
                "\n{dir} ({in_dir} images): {}",
                DECODERS.iter().zip(&per_dir).map(|(d, c)| format!("{} {c}", d.0)).collect::<Vec<_>>().join(", ")
            );
        }
        println!("\nzxing-qr photos ({n} images, exact text):");
        println!("  of the {} the pipeline reads, {gate_read} pass the camera loop's gate at once (the rest wait for its full pass, at least every 900 ms)", totals[0]);
        for (k, t) in totals.iter().enumerate() {
            println!(
                "  {:<34} {t} of {n}   p50 {:>6.1} ms  p95 {:>6.1} ms per photo",
                DECODERS[k].0,
                pct(&mut times[k], 0.5),
                pct(&mut times[k], 0.95)
            );
        }
    } else {
        println!("\n(zxing-qr corpus not found beside the project; skipped)");
    }
}
