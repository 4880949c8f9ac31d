//! The app as a cashier meets it: cold start to an interactive checkout screen, idle
//! memory of the whole process tree (the app and its WebKit processes), and the time
//! from a Redeem press to the button being disabled, beside one 60 Hz frame (16.7 ms).
//! Runs the real window under Xvfb through tauri-driver, against the sandbox started
//! in this process.
//!
//! Idle CPU: the app with the demo source at 1280x720 and 30 fps and no code in view
//! (every frame goes through the camera loop as a camera's would; a still counter,
//! then, for comparison, a picture that drifts all the time), left alone for 60
//! s, as CPU time of its whole process tree per second of wall time; beside an empty
//! WebKitGTK window's measured the same way in the same run.
//!
//! Memory is printed beside its floor, measured in the same run: WebKitGTK's own
//! MiniBrowser showing about:blank on the same display with the same settings. No
//! Tauri app on Linux can idle below that tree (a UI, a web and a network process),
//! so the ratio to it is what our code adds.
//!
//! Run: `cargo bench -p voucher-pos-app --bench app` (needs Xvfb, WebKitWebDriver and
//! tauri-driver, as the e2e tests do).

use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};

#[path = "../tests/desktop/mod.rs"]
mod desktop;
use serde_json::{json, Value};

/// How long a window is left to settle before it is measured: past the web
/// process's start and the scanner's quiet time (2 s).
const IDLE: Duration = Duration::from_secs(3);

/// One running process, from /proc.
struct Process {
    pid: u32,
    ppid: u32,
    /// The kernel's name for it, cut to 15 bytes ("WebKitWebProces").
    comm: String,
}

fn processes() -> Vec<Process> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_string_lossy().parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // "pid (comm) state ppid ...": comm may hold spaces, so split at its ")".
            let (head, rest) = stat.rsplit_once(") ")?;
            let comm = head.split_once(" (")?.1.to_string();
            let ppid = rest.split(' ').nth(1)?.parse().ok()?;
            Some(Process { pid, ppid, comm })
        })
        .collect()
}

/// `root` and all its descendants.
fn tree(root: u32) -> Vec<u32> {
    let all = processes();
    let mut tree = vec![root];
    let mut k = 0;
    while k < tree.len() {
        let p = tree[k];
        tree.extend(all.iter().filter(|c| c.ppid == p).map(|c| c.pid));
        k += 1;
    }
    tree
}

/// CPU seconds (user and system) spent by `root`'s tree so far, including its
/// descendants that have ended and been waited for (the kernel adds those to their
/// parent's `cutime`/`cstime`), so the difference of two readings is the tree's use.
fn tree_cpu_s(root: u32) -> f64 {
    // USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every Linux ABI we build for.
    const TICKS_PER_S: f64 = 100.0;
    tree(root)
        .iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok())
        .filter_map(|stat| {
            // Fields after "(comm) ": state is the 1st, utime the 12th ... cstime the 15th.
            let rest = stat.rsplit_once(") ")?.1.split(' ').collect::<Vec<_>>();
            Some((11..15).filter_map(|k| rest.get(k)?.parse::<u64>().ok()).sum::<u64>())
        })
        .sum::<u64>() as f64
        / TICKS_PER_S
}

/// The share of one core that `root`'s tree uses over `span`, left alone.
async fn idle_cpu_share(root: u32, span: Duration) -> f64 {
    idle_cpu_breakdown(root, span).await.0
}

/// CPU ticks so far of each thread of each process in `root`'s tree, named
/// "process/thread" (threads of one name summed).
fn thread_ticks(root: u32) -> std::collections::BTreeMap<String, u64> {
    let mut out = std::collections::BTreeMap::new();
    for pid in tree(root) {
        let Ok(comm) = std::fs::read_to_string(format!("/proc/{pid}/comm")) else { continue };
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { continue };
        for t in tasks.flatten() {
            let Ok(stat) = std::fs::read_to_string(t.path().join("stat")) else { continue };
            let Some((head, rest)) = stat.rsplit_once(") ") else { continue };
            let name = head.split_once(" (").map_or("?", |(_, n)| n);
            let fields: Vec<&str> = rest.split(' ').collect();
            let ticks: u64 = (11..13).filter_map(|k| fields.get(k)?.parse::<u64>().ok()).sum();
            *out.entry(format!("{}/{}", comm.trim(), name)).or_default() += ticks;
        }
    }
    out
}

/// The tree's share of one core over `span`, and where it went: the threads that
/// used at least 0.5% of a core, largest first.
async fn idle_cpu_breakdown(root: u32, span: Duration) -> (f64, Vec<(String, f64)>) {
    let (cpu, threads, wall) = (tree_cpu_s(root), thread_ticks(root), Instant::now());
    tokio::time::sleep(span).await;
    let secs = wall.elapsed().as_secs_f64();
    let share = (tree_cpu_s(root) - cpu) / secs;
    let mut by_thread: Vec<(String, f64)> = thread_ticks(root)
        .into_iter()
        .map(|(name, t)| {
            let before = threads.get(&name).copied().unwrap_or(0);
            (name, t.saturating_sub(before) as f64 / 100.0 / secs)
        })
        .filter(|(_, s)| *s >= 0.005)
        .collect();
    by_thread.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap());
    (share, by_thread)
}

/// RSS and PSS (kB) of `root` and all its descendants, from /proc. RSS counts a
/// shared library once per process that maps it; PSS divides it among them.
fn tree_rss_kb(root: u32) -> (u64, u64) {
    let tree = tree(root);
    let field = |text: &str, name: &str| -> u64 {
        text.lines().find(|l| l.starts_with(name)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()).unwrap_or(0)
    };
    tree.iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok())
        .map(|s| (field(&s, "Rss:"), field(&s, "Pss:")))
        .fold((0, 0), |(r, p), (a, b)| (r + a, p + b))
}

fn app_pid() -> Option<u32> {
    processes().into_iter().find(|p| p.comm == "voucher-pos-app").map(|p| p.pid)
}

/// WebKitGTK's MiniBrowser, shipped with libwebkit2gtk-4.1 (Debian path, then Fedora's).
fn minibrowser() -> Option<std::path::PathBuf> {
    let arch = std::env::consts::ARCH;
    [
        format!("/usr/lib/{arch}-linux-gnu/webkit2gtk-4.1/MiniBrowser"),
        "/usr/libexec/webkit2gtk-4.1/MiniBrowser".to_string(),
    ]
    .into_iter()
    .map(std::path::PathBuf::from)
    .find(|p| p.exists())
}

/// An empty WebKitGTK window, MiniBrowser on about:blank: its idle RSS and PSS (kB)
/// after its web process has run for as long as the app is left idle; the
/// milliseconds from its spawn to its web process (the earliest any WebKitGTK page,
/// ours included, can start); and, when `cpu_span` is given, the share of a core its
/// tree uses over that span after the idle wait.
async fn webkit_floor(
    display: &str,
    idle: Duration,
    cpu_span: Option<Duration>,
) -> Option<(u64, u64, f64, Option<f64>)> {
    let browser = minibrowser()?;
    let mut cmd = std::process::Command::new(browser);
    cmd.arg("about:blank")
        .env("DISPLAY", display)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        cmd.env("WEBKIT_DISABLE_COMPOSITING_MODE", "1"); // as the app sets it on Linux
    }
    let spawned = Instant::now();
    let group = desktop::spawn_group(&mut cmd);
    let root = group.0.id();
    let deadline = Instant::now() + Duration::from_secs(20);
    let has_web_process = || processes().iter().any(|p| p.ppid == root && p.comm == "WebKitWebProces");
    while !has_web_process() {
        if Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let started_ms = spawned.elapsed().as_secs_f64() * 1e3;
    tokio::time::sleep(idle).await;
    let (rss, pss) = tree_rss_kb(root);
    let cpu = match cpu_span {
        Some(span) => Some(idle_cpu_share(root, span).await),
        None => None,
    };
    Some((rss, pss, started_ms, cpu))
}

/// The app's process tree's share of one core, and where it went, over `span` left
/// alone with the demo source at 1280x720 and 30 fps and no code in view: a still
/// counter (fresh sensor noise in every frame), or with `moving` a picture that drifts
/// all the time.
async fn idle_app(
    desktop: &desktop::Desktop,
    app: &str,
    db: &std::path::Path,
    service: &str,
    moving: bool,
    span: Duration,
) -> Option<(f64, Vec<(String, f64)>)> {
    let mut args = vec![json!("--db"), json!(db), json!("--service"), json!(service)];
    args.extend(["--api-key", "test_sandbox", "--demo-camera", "1280x720@30"].map(|a| json!(a)));
    if moving {
        args.push(json!("--demo-moving"));
    }
    let caps: serde_json::Map<String, Value> =
        serde_json::from_value(json!({"browserName": "wry", "tauri:options": {"application": app, "args": args}}))
            .unwrap();
    let client = ClientBuilder::rustls().unwrap().capabilities(caps).connect(&desktop.url()).await.expect("session");
    // Ready, with the camera loop running on the demo source (its status names it).
    while client.execute("return document.body.dataset.ready === 'true' && document.getElementById('scanner-status').textContent.startsWith('demo')", vec![]).await.unwrap() != json!(true) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(IDLE).await;
    // Nothing talks to the window while it is measured.
    let share = match app_pid() {
        Some(pid) => Some(idle_cpu_breakdown(pid, span).await),
        None => None,
    };
    client.close().await.unwrap();
    share
}

/// Milliseconds the demo source takes to draw one empty 1280x720 frame, unpaced: what
/// the idle figure holds that a real camera would not cost (a camera has its own: the
/// driver's copy and, for MJPEG, a decode).
fn demo_frame_ms() -> f64 {
    use voucher_pos::scan::FrameSource;
    let mut source = voucher_pos::scan::sources::DemoSource::with_rate(&[], 1280, 720, f64::INFINITY);
    let started = Instant::now();
    for _ in 0..120 {
        std::hint::black_box(source.next_frame().unwrap());
    }
    started.elapsed().as_secs_f64() * 1e3 / 120.0
}

/// The package `scripts/package.sh` last built beside this build, if any: the
/// `.deb`'s size and its two stripped binaries'.
fn package_line(app: &std::path::Path) -> String {
    let Some(target) = app.parent().and_then(|p| p.parent()) else { return "package: not found".into() };
    let release = target.join("package/release");
    let deb = std::fs::read_dir(release.join("bundle/deb"))
        .ok()
        .and_then(|d| d.flatten().map(|e| e.path()).find(|p| p.extension().is_some_and(|x| x == "deb")));
    let mb = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len() as f64 / 1048576.0).unwrap_or(f64::NAN);
    match deb {
        Some(deb) => format!(
            "package: {} {:.1} MB (its stripped binaries: app {:.1} MB, CLI {:.1} MB; the .deb is {:.2}x their sum, compressed)",
            deb.file_name().unwrap().to_string_lossy(),
            mb(&deb),
            mb(&release.join("voucher-pos-app")),
            mb(&release.join("voucher-pos")),
            mb(&deb) / (mb(&release.join("voucher-pos-app")) + mb(&release.join("voucher-pos")))
        ),
        None => "package: not built beside this build (run `bash scripts/package.sh`)".into(),
    }
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox =
        voucher_sandbox::start(voucher_sandbox::Config::default(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let http = reqwest::Client::new();
    let desktop = desktop::Desktop::start();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let app = env!("CARGO_BIN_EXE_voucher-pos-app");
    println!("machine: {} cores; app: {app}", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0));

    let mut floor_rss = Vec::new();
    let mut floor_pss = Vec::new();
    let mut floor_start = Vec::new();
    // Sizes from the environment (the test command's quick run shrinks them).
    let env = |name: &str, default: u64| std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default);
    let idle_span = Duration::from_secs(env("IDLE_S", 60));
    let (floor_runs, app_runs, presses) = (env("FLOOR_RUNS", 3), env("RUNS", 5), env("PRESSES", 10));
    let floor_cpu = webkit_floor(&desktop.display, IDLE, Some(idle_span)).await.and_then(|f| f.3);
    let app_cpu = idle_app(&desktop, app, &dir.path().join("idle.db"), &sandbox.url(), false, idle_span).await;
    let moving_cpu = idle_app(&desktop, app, &dir.path().join("moving.db"), &sandbox.url(), true, idle_span).await;
    for _ in 0..floor_runs {
        if let Some((r, p, t, _)) = webkit_floor(&desktop.display, IDLE, None).await {
            floor_rss.push(r as f64 / 1024.0);
            floor_pss.push(p as f64 / 1024.0);
            floor_start.push(t);
        }
    }

    let mut starts = Vec::new();
    let mut rss = Vec::new();
    let mut pss = Vec::new();
    let mut press = Vec::new();
    let mut frame = Vec::new();
    for run in 0..app_runs {
        let caps: serde_json::Map<String, Value> = serde_json::from_value(json!({
            "browserName": "wry",
            "tauri:options": {"application": app, "args": ["--db", dir.path().join(format!("t{run}.db")), "--service", sandbox.url(), "--api-key", "test_sandbox"]}
        }))
        .unwrap();
        let t0 = Instant::now();
        let client =
            ClientBuilder::rustls().unwrap().capabilities(caps).connect(&desktop.url()).await.expect("session");
        while client.execute("return document.body.dataset.ready === 'true'", vec![]).await.unwrap() != json!(true) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        starts.push(t0.elapsed().as_secs_f64() * 1e3);
        tokio::time::sleep(IDLE).await;
        if let Some(pid) = app_pid() {
            let (r, p) = tree_rss_kb(pid);
            rss.push(r as f64 / 1024.0);
            pss.push(p as f64 / 1024.0);
        }
        for _ in 0..presses {
            let v: Value = http
                .post(format!("{}/_sandbox/vouchers", sandbox.url()))
                .json(&json!({"count": 1}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let input = client.find(Locator::Css("[data-testid=code-input]")).await.unwrap();
            input.send_keys(&format!("{}\u{E007}", v["qr"].as_str().unwrap())).await.unwrap();
            while !client
                .find(Locator::Css("[data-testid=intent-status]"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
                .contains("Scanned")
            {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            // A real press: WebDriver clicks the button through the platform's input
            // path (a trusted mousedown/mouseup/click, not an in-page `click()`).
            // Timed inside the page from that trusted mousedown's event time to the
            // disabled attribute, and to the next painted frame.
            client
                .execute(
                    r#"window.__press = null;
                       const b = document.querySelector('[data-testid=redeem-button]');
                       let pressed = null;
                       b.addEventListener('mousedown', (e) => { if (e.isTrusted) pressed = e.timeStamp; }, { capture: true, once: true });
                       const obs = new MutationObserver(() => {
                         if (!b.disabled || pressed === null) return;
                         const disabled = performance.now();
                         obs.disconnect();
                         requestAnimationFrame(() => requestAnimationFrame(() => { window.__press = [disabled - pressed, performance.now() - pressed]; }));
                       });
                       obs.observe(b, { attributes: true, attributeFilter: ['disabled'] });"#,
                    vec![],
                )
                .await
                .unwrap();
            client.find(Locator::Css("[data-testid=redeem-button]")).await.unwrap().click().await.unwrap();
            let r = loop {
                let v = client.execute("return window.__press", vec![]).await.unwrap();
                if !v.is_null() {
                    break v;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            };
            press.push(r[0].as_f64().unwrap());
            frame.push(r[1].as_f64().unwrap());
            while !client
                .find(Locator::Css("[data-testid=intent-status]"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
                .contains("Redeemed")
            {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        client.close().await.unwrap();
    }
    match (app_cpu, moving_cpu, floor_cpu) {
        (Some((a, threads)), Some((m, moving_threads)), Some(f)) => {
            let draw_ms = demo_frame_ms();
            println!(
                "idle CPU, camera loop on (demo source 1280x720 at 30 fps, a still counter with fresh noise in every frame, no code in view), {} s left alone: the app's process tree used {:.1}% of one core (target <= 10%); floor, an empty WebKitGTK window measured the same way: {:.1}%; the app is {:.1}x the floor (+{:.1} points). Of it, the demo source draws a frame in {:.2} ms ({:.1}% of a core at 30 fps), which a camera would not cost",
                idle_span.as_secs(),
                a * 100.0,
                f * 100.0,
                a / f.max(1e-9),
                (a - f) * 100.0,
                draw_ms,
                draw_ms * 30.0 / 10.0
            );
            let parts = |threads: &[(String, f64)]| -> String {
                threads
                    .iter()
                    .map(|(name, share)| format!("{name} {:.1}%", share * 100.0))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            println!("  where it went (process/thread, share of one core): {}", parts(&threads));
            println!(
                "  the same with a picture that drifts all the time (the scanner's worst case, no target): {:.1}% of one core, {:.1}x the floor; where it went: {}",
                m * 100.0,
                m / f.max(1e-9),
                parts(&moving_threads)
            );
        }
        (a, m, f) => println!(
            "idle CPU: not measured (app {:?}, moving {:?}, empty WebKitGTK window {f:?}: a process was not found)",
            a.map(|a| a.0),
            m.map(|m| m.0)
        ),
    }
    let (s50, smax) = (pct(&mut starts, 0.5), pct(&mut starts, 1.0));
    println!(
        "cold start to interactive checkout: median {s50:.0} ms, max {smax:.0} ms over {} starts (target < 2000 ms)",
        starts.len()
    );
    if !floor_start.is_empty() {
        let f = pct(&mut floor_start, 0.5);
        println!("  floor, an empty WebKitGTK window's spawn to its web process: median {f:.0} ms; the app's cold start is {:.2}x it", s50 / f);
    }
    println!("{}", package_line(std::path::Path::new(app)));
    if !rss.is_empty() {
        let (r50, rmax) = (pct(&mut rss, 0.5), pct(&mut rss, 1.0));
        let p50 = pct(&mut pss, 0.5);
        println!("idle memory of the app process tree: RSS sum median {r50:.0} MB (max {rmax:.0}); PSS sum median {p50:.0} MB (target < 200 MB)");
        if floor_rss.is_empty() {
            println!("  floor not measured: WebKitGTK's MiniBrowser was not found or did not start");
        } else {
            let (fr, fp) = (pct(&mut floor_rss, 0.5), pct(&mut floor_pss, 0.5));
            println!(
                "  floor, an empty WebKitGTK window (MiniBrowser about:blank, same display and settings): RSS sum {fr:.0} MB, PSS sum {fp:.0} MB; the app is {:.2}x the floor by RSS ({:+.0} MB) and {:.2}x by PSS ({:+.0} MB)",
                r50 / fr,
                r50 - fr,
                p50 / fp,
                p50 - fp
            );
        }
    }
    let (p50, p95, pmax) = (pct(&mut press, 0.5), pct(&mut press, 0.95), pct(&mut press, 1.0));
    println!(
        "Redeem press (a real click's mousedown) -> button disabled: median {p50:.2} ms, p95 {p95:.2} ms, max {pmax:.2} ms over {} presses (target < 16 ms; {:.3}x one 60 Hz frame at p95)",
        press.len(),
        p95 / 16.7
    );
    let (f50, f95) = (pct(&mut frame, 0.5), pct(&mut frame, 0.95));
    println!("Redeem press (a real click's mousedown) -> next painted frame: median {f50:.1} ms, p95 {f95:.1} ms ({:.2}x one 16.7 ms frame at p95)", f95 / 16.7);
    sandbox.stop().await;
}
