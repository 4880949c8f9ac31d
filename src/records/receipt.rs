//! Receipts and the printed end-of-day report. A receipt is what the customer takes
//! home and what a dispute is settled with, so it prints only what the core decided
//! (the sale's amounts as `checkout::sale` computed them, each voucher's value and
//! transaction id as the service confirmed them) and what RSG asks a sales system to
//! print. It is built in two steps: [`Receipt`] is the content as lines, which the
//! tests read; [`Receipt::escpos`] lays it out for one paper width
//! and turns it into ESC/POS bytes with the `escpos` crate. The printer itself is
//! `platform::printer`; when and whether to print is `app::printing`.
//!
//! Receipts are ASCII: a thermal printer's built-in code page prints no other text
//! reliably, so anything else is printed as `?` rather than as garbage.

use std::cell::RefCell;
use std::rc::Rc;

use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::utils::{Font, JustifyMode, Protocol};

use crate::checkout::sale::{Currency, SaleView};
use crate::domain::intent::IntentState;
use crate::messages::{Arg, Messages};
use crate::platform::clock::StoreZone;
use crate::platform::printer::Paper;
use crate::records::report::Report;

/// The store as its receipts name it (Manager → Settings → Printer).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreDetails {
    pub name: String,
    /// The store's Unique Entity Number, which Singapore receipts carry.
    pub uen: String,
    pub address: String,
}

impl StoreDetails {
    pub fn of(s: &crate::checkout::settings::TerminalSettings) -> StoreDetails {
        StoreDetails { name: s.store_name.clone(), uen: s.store_uen.clone(), address: s.store_address.clone() }
    }
}

/// One line of a receipt, before it is laid out on paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// The store's name: bold, double size, centred.
    Title(String),
    /// Centred text (the address, the closing words).
    Centre(String),
    /// Reversed and bold across the paper: COPY.
    Stamp(String),
    /// Left-aligned text, wrapped.
    Text(String),
    /// A label on the left and an amount on the right.
    Pair(String, String),
    /// Like [`Line::Pair`], bold: the balance due.
    Strong(String, String),
    /// An identifier a person may have to type (a transaction id): whole, in the
    /// printer's small font, cut only where it is longer than a small line.
    Id(String),
    /// A dashed rule.
    Rule,
}

/// A receipt's content, in print order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub lines: Vec<Line>,
}

fn header(store: &StoreDetails, m: &Messages, lines: &mut Vec<Line>) {
    lines.push(Line::Title(if store.name.trim().is_empty() { m.text("receipt-title") } else { store.name.clone() }));
    if !store.uen.trim().is_empty() {
        lines.push(Line::Centre(m.format("receipt-uen", &[("uen", store.uen.trim().into())])));
    }
    for part in store.address.lines().map(str::trim).filter(|l| !l.is_empty()) {
        lines.push(Line::Centre(part.to_string()));
    }
}

/// The customer's receipt for a closed sale, in `m`'s language. `copy` marks a
/// receipt printed after the sale's first one.
pub fn sale(store: &StoreDetails, view: &SaleView, zone: &StoreZone, copy: bool, m: &Messages) -> Receipt {
    let mut l = Vec::new();
    header(store, m, &mut l);
    if copy {
        l.push(Line::Stamp(m.text("receipt-copy")));
    }
    l.push(Line::Rule);
    if let Some(s) = &view.sale {
        l.push(Line::Pair(
            m.format("receipt-sale", &[("number", s.number.to_string().into())]),
            m.format("receipt-terminal", &[("terminal", s.terminal_id.as_str().into())]),
        ));
        l.push(Line::Pair(
            m.format("receipt-cashier", &[("cashier", s.cashier_id.as_str().into())]),
            zone.human(s.closed_at.unwrap_or(s.opened_at)),
        ));
    }
    l.push(Line::Rule);
    let t = &view.totals;
    l.push(Line::Pair(m.text("receipt-sale-total"), t.total.clone().unwrap_or_else(|| "-".into())));
    for line in view.lines.iter().filter(|x| x.pays) {
        let i = &line.intent;
        let count = [("count", Arg::Count(i64::from(i.voucher_count.max(1))))];
        match (&line.value, i.state) {
            (Some(v), IntentState::Redeemed) => l.push(Line::Pair(m.format("receipt-vouchers", &count), v.clone())),
            _ => l.push(Line::Pair(m.format("receipt-vouchers-to-confirm", &count), "-".into())),
        }
        if let Some(c) = i.campaign_name.as_deref().filter(|c| !c.is_empty()) {
            l.push(Line::Text(format!("  {c}")));
        }
        match i.transaction_id.as_deref() {
            Some(tx) => {
                l.push(Line::Text(format!("  {}", m.text("receipt-transaction"))));
                l.push(Line::Id(tx.to_string()));
            }
            None => l.push(Line::Text(format!("  {}", m.text("receipt-accepted-offline")))),
        }
    }
    l.push(Line::Pair(m.text("receipt-vouchers-total"), t.voucher_total.clone()));
    if t.unconfirmed > 0 {
        let n = [("count", Arg::Count(i64::from(t.unconfirmed)))];
        l.push(Line::Text(format!("  {}", m.format("receipt-and-to-confirm", &n))));
    }
    l.push(Line::Pair(m.text("receipt-forfeited"), t.forfeited.clone().unwrap_or_else(|| "-".into())));
    l.push(Line::Strong(m.text("receipt-balance-due"), t.balance_due.clone().unwrap_or_else(|| "-".into())));
    let cfhp = view.lines.iter().map(|x| &x.intent).find(|i| !i.receipt_number.is_empty());
    if let Some(i) = cfhp {
        l.push(Line::Rule);
        l.push(Line::Text(m.format("receipt-number-line", &[("number", i.receipt_number.as_str().into())])));
        let skus = i.skus();
        if !skus.is_empty() {
            l.push(Line::Text(m.format("receipt-skus", &[("skus", skus.join(", ").into())])));
        }
    }
    l.push(Line::Rule);
    if view.lines.iter().any(|x| x.pays) {
        l.push(Line::Centre(m.text("receipt-vouchers-used")));
        l.push(Line::Centre(m.text("receipt-not-refunded")));
    }
    if copy {
        l.push(Line::Stamp(m.text("receipt-copy")));
    }
    Receipt { lines: l }
}

/// The end of the store's day as it prints (the Z report): the branch's day at the
/// service, this terminal's sales, and every finding in words.
pub fn z_report(
    store: &StoreDetails,
    r: &Report,
    currency: &Currency,
    zone: &StoreZone,
    printed_at: i64,
    m: &Messages,
) -> Receipt {
    let mut l = Vec::new();
    header(store, m, &mut l);
    l.push(Line::Centre(m.text("z-title")));
    l.push(Line::Rule);
    let day = r.date.splitn(3, '-').collect::<Vec<_>>();
    let day = if day.len() == 3 { format!("{}/{}/{}", day[2], day[1], day[0]) } else { r.date.clone() };
    l.push(Line::Pair(m.text("z-day"), day));
    l.push(Line::Pair(m.text("z-branch"), r.branch.clone()));
    l.push(Line::Pair(m.text("z-terminal"), r.terminal.clone()));
    l.push(Line::Pair(m.text("z-printed"), zone.human(printed_at)));
    l.push(Line::Rule);
    l.push(Line::Text(m.text("z-at-service")));
    let count = Arg::Count(i64::try_from(r.totals.count).unwrap_or(i64::MAX));
    l.push(Line::Strong(m.format("z-redemptions", &[("count", count)]), currency.format(r.totals.value)));
    let tallies = [
        (m.text("z-by-campaign"), &r.totals.by_campaign),
        (m.text("z-by-terminal"), &r.totals.by_terminal),
        (m.text("z-by-cashier"), &r.totals.by_cashier),
    ];
    for (title, tally) in tallies {
        if tally.is_empty() {
            continue;
        }
        l.push(Line::Text(title));
        for (name, t) in tally {
            l.push(Line::Pair(format!("  {name} ({})", t.count), currency.format(t.value)));
        }
    }
    l.push(Line::Rule);
    l.push(Line::Pair(m.text("z-sales-closed"), r.sales.closed.to_string()));
    if let Some(n) = r.sales.still_open {
        l.push(Line::Text(m.format("z-sale-open", &[("number", n.to_string().into())])));
    }
    l.push(Line::Pair(m.text("z-matched"), r.matched.len().to_string()));
    l.push(Line::Pair(m.text("z-service-only"), r.service_only.len().to_string()));
    l.push(Line::Pair(m.text("z-local-only"), r.local_only.len().to_string()));
    l.push(Line::Rule);
    if r.findings.is_empty() {
        l.push(Line::Centre(m.text("z-no-findings")));
    } else {
        let n = Arg::Count(i64::try_from(r.findings.len()).unwrap_or(i64::MAX));
        l.push(Line::Text(m.format("z-findings", &[("count", n)])));
        for f in &r.findings {
            l.push(Line::Text(format!("- {}", f.message)));
        }
    }
    Receipt { lines: l }
}

/// The page Settings prints to check a printer: the store's header as receipts
/// carry it, the paper width ruled edge to edge, and where it was sent.
pub fn test_page(
    store: &StoreDetails,
    paper: Paper,
    printer: &str,
    zone: &StoreZone,
    now: i64,
    m: &Messages,
) -> Receipt {
    let mut l = Vec::new();
    header(store, m, &mut l);
    l.push(Line::Centre(m.text("test-title")));
    l.push(Line::Rule);
    l.push(Line::Pair(m.text("test-printer"), printer.to_string()));
    let paper_args = [("mm", Arg::Count(i64::from(paper.mm()))), ("columns", Arg::Count(paper.columns() as i64))];
    l.push(Line::Pair(m.text("test-paper"), m.format("test-paper-size", &paper_args)));
    l.push(Line::Pair(m.text("z-printed"), zone.human(now)));
    l.push(Line::Rule);
    l.push(Line::Centre(m.text("test-check")));
    Receipt { lines: l }
}

/// Text a thermal printer's built-in code page prints: ASCII, the rest as `?`.
fn printable(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii() && !c.is_ascii_control() { c } else { '?' }).collect()
}

/// Words wrapped to `width` characters; leading spaces indent every line, and a
/// word longer than a line is cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let indent = " ".repeat((text.len() - text.trim_start_matches(' ').len()).min(width / 4));
    let room = width - indent.len();
    let chunks = text.split_whitespace().flat_map(|w| {
        let w: Vec<char> = w.chars().collect();
        w.chunks(room).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>()
    });
    let mut out = Vec::new();
    let mut cur = indent.clone();
    for chunk in chunks {
        if cur.len() > indent.len() && cur.len() + 1 + chunk.len() > width {
            out.push(std::mem::replace(&mut cur, indent.clone()));
        }
        if cur.len() > indent.len() {
            cur.push(' ');
        }
        cur.push_str(&chunk);
    }
    if cur.len() > indent.len() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// A label and a value on one line, the value flush right; a label too long for
/// the line keeps its own lines above the value.
fn pair(left: &str, right: &str, width: usize) -> Vec<String> {
    if left.len() + 1 + right.len() <= width {
        return vec![format!("{left}{}{right}", " ".repeat(width - left.len() - right.len()))];
    }
    let mut out = wrap(left, width);
    if right.len() > width {
        out.extend(wrap(right, width));
    } else {
        out.push(format!("{right:>width$}"));
    }
    out
}

/// How a laid-out line prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Look {
    Plain,
    Centre,
    Title,
    Stamp,
    Bold,
    Small,
}

impl Receipt {
    /// The receipt laid out for `paper`, line by line, as the printer will print it.
    fn layout(&self, paper: Paper) -> Vec<(Look, String)> {
        let w = paper.columns();
        let mut out = Vec::new();
        let mut put = |look: Look, lines: Vec<String>| out.extend(lines.into_iter().map(|s| (look, s)));
        for line in &self.lines {
            match line {
                Line::Title(t) => put(Look::Title, wrap(&printable(t), w / 2)),
                Line::Centre(t) => put(Look::Centre, wrap(&printable(t), w)),
                Line::Stamp(t) => put(Look::Stamp, vec![format!(" {} ", printable(t))]),
                Line::Text(t) => put(Look::Plain, wrap(&printable(t), w)),
                Line::Pair(a, b) => put(Look::Plain, pair(&printable(a), &printable(b), w)),
                Line::Strong(a, b) => put(Look::Bold, pair(&printable(a), &printable(b), w)),
                Line::Id(t) => {
                    let t: Vec<char> = printable(t).chars().collect();
                    put(Look::Small, t.chunks(paper.small_columns()).map(|c| c.iter().collect()).collect())
                }
                Line::Rule => put(Look::Plain, vec!["-".repeat(w)]),
            }
        }
        out
    }

    /// The receipt as plain text for `paper`: what it looks like printed, for the
    /// screen and for people reading a golden file's twin.
    pub fn text(&self, paper: Paper) -> String {
        let w = paper.columns();
        self.layout(paper)
            .into_iter()
            .map(|(look, s)| match look {
                Look::Centre | Look::Stamp => format!("{s:^w$}").trim_end().to_string(),
                Look::Title => format!("{:^w$}", s.chars().flat_map(|c| [c, ' ']).collect::<String>().trim_end())
                    .trim_end()
                    .to_string(),
                Look::Plain | Look::Bold | Look::Small => s,
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    }

    /// The ESC/POS bytes of the receipt for `paper`: initialise, each line in its
    /// look, then feed to the cutter and cut.
    pub fn escpos(&self, paper: Paper) -> Vec<u8> {
        let sink = Capture::default();
        let mut p = Printer::new(sink.clone(), Protocol::default(), None);
        build(&mut p, &self.layout(paper)).expect("receipt lines are valid ESC/POS input");
        sink.0.take()
    }
}

fn build(p: &mut Printer<Capture>, lines: &[(Look, String)]) -> escpos::errors::Result<()> {
    p.init()?;
    let mut last = Look::Plain;
    for (look, text) in lines {
        if *look != last {
            p.justify(match look {
                Look::Centre | Look::Title | Look::Stamp => JustifyMode::CENTER,
                Look::Plain | Look::Bold | Look::Small => JustifyMode::LEFT,
            })?;
            p.font(if *look == Look::Small { Font::B } else { Font::A })?;
            p.bold(matches!(look, Look::Title | Look::Stamp | Look::Bold))?;
            p.reverse(*look == Look::Stamp)?;
            if *look == Look::Title {
                p.size(2, 2)?;
            } else if last == Look::Title {
                p.reset_size()?;
            }
            last = *look;
        }
        p.writeln(text)?;
    }
    // GS V A 0: the printer feeds the last line past its cutter itself, then cuts.
    p.print_cut()?;
    Ok(())
}

/// An `escpos` driver that keeps the bytes: receipts are built once, then sent by
/// `platform::printer` (or compared with a golden file).
#[derive(Default, Clone)]
struct Capture(Rc<RefCell<Vec<u8>>>);

impl Driver for Capture {
    fn name(&self) -> String {
        "capture".into()
    }

    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(())
    }

    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }

    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_and_labels_wrap_inside_the_paper_and_amounts_stay_flush_right() {
        for w in [32, 48] {
            for line in wrap("  Voucher amounts are not refunded: a cancelled sale refunds only what was paid", w) {
                assert!(line.len() <= w, "{line:?}");
            }
            assert!(wrap(&"x".repeat(100), w).iter().all(|l| l.len() <= w));
            let p = pair("Sale total", "S$1,250.00", w);
            assert_eq!((p.len(), p[0].len()), (1, w));
            assert!(p[0].ends_with("S$1,250.00"));
            let long = pair(&"A very long campaign name ".repeat(3), "S$10.00", w);
            assert!(long.len() > 1 && long.last().unwrap().ends_with("S$10.00") && long.iter().all(|l| l.len() <= w));
            let wide = pair("Printer", &format!("file:/dev/{}", "usb/".repeat(20)), w);
            assert!(wide.iter().all(|l| l.len() <= w), "{wide:?}");
        }
        assert_eq!(printable("Café 咖啡"), "Caf? ??");
    }
}
