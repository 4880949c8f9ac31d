//! Every kind of printout against its golden ESC/POS bytes
//! (`tests/fixtures/receipts/*.bin`), with a plain-text twin beside each (`*.txt`)
//! so that a person reviewing a change to a receipt reads what the paper will say.
//! A change to a receipt fails here until the files are written again with
//! `UPDATE_FIXTURES=1` and the diff of the `.txt` twins is reviewed.

mod common;

use voucher_pos::checkout::sale::{view, Currency, SaleView};
use voucher_pos::domain::intent::{build_body, build_metadata, Intent, IntentState, SaleContext};
use voucher_pos::domain::voucher::parse;
use voucher_pos::messages::{Lang, Messages};
use voucher_pos::platform::clock::StoreZone;
use voucher_pos::platform::printer::Paper;
use voucher_pos::records::receipt::{self, Receipt, StoreDetails};
use voucher_pos::records::report::{Finding, FindingKind, Report, SalesOfDay, Tally, Totals};
use voucher_pos::store::Sale;

/// 1 Dec 2026, 14:05:00 in Singapore.
const CLOSED_AT: i64 = 1_796_105_100_000;

fn shop() -> StoreDetails {
    StoreDetails {
        name: "Ah Hock Provision Shop".into(),
        uen: "53123456A".into(),
        address: "Blk 123 Ang Mo Kio Ave 3 #01-45\nSingapore 560123".into(),
    }
}

fn zone() -> StoreZone {
    StoreZone::named(Some("Asia/Singapore")).unwrap()
}

fn sale(total_cents: i64) -> Sale {
    Sale {
        id: "sale-7".into(),
        number: 7,
        terminal_id: "T01".into(),
        cashier_id: "c042".into(),
        opened_at: CLOSED_AT - 95_000,
        closed_at: Some(CLOSED_AT),
        total_cents: Some(total_cents),
    }
}

fn redeemed(id: &str, cents: i64, campaign: &str, tx: &str) -> Intent {
    Intent {
        id: id.into(),
        code: format!("rsg:{id}"),
        voucher_count: 1,
        state: IntentState::Redeemed,
        queued_at: Some(CLOSED_AT - 60_000),
        value_cents: Some(cents),
        campaign_name: Some(campaign.into()),
        transaction_id: Some(tx.into()),
        ..Intent::default()
    }
}

fn view_of(total_cents: i64, intents: Vec<Intent>) -> SaleView {
    view(&Currency::default(), Some(sale(total_cents)), intents, |_| unreachable!("a closed sale waits for no answer"))
}

/// Two CDC vouchers and a refused one on a S$42.50 sale.
fn cdc_sale() -> SaleView {
    let refused = Intent {
        id: "v3".into(),
        state: IntentState::Refused,
        queued_at: Some(CLOSED_AT - 50_000),
        error_message: Some("This voucher has already been used.".into()),
        ..Intent::default()
    };
    view_of(
        4_250,
        vec![
            redeemed("v1", 1_000, "CDC Vouchers 2026", "txn_01JD8Q2M4X"),
            redeemed("v2", 500, "CDC Vouchers 2026", "txn_01JD8Q2N7Y"),
            refused,
        ],
    )
}

/// A Climate Friendly Households voucher worth more than the sale (so some is
/// forfeited), with the receipt number and SKUs RSG requires.
fn cfhp_sale() -> SaleView {
    let code = parse("rsg-cfhp:v_fridge").unwrap();
    let ctx = SaleContext {
        terminal_id: "T01".into(),
        branch_code: "B001".into(),
        cashier_id: "c042".into(),
        receipt_number: "R-20261201-0007".into(),
        skus: vec!["8888001".into(), "8888002".into()],
    };
    let md = build_metadata(&code, &ctx, "cf1").unwrap();
    let mut i = redeemed("cf1", 30_000, "Climate Friendly Households", "txn_01JD8R0000");
    i.receipt_number = ctx.receipt_number.clone();
    i.body = build_body(&code, &md);
    view_of(25_990, vec![i])
}

/// One voucher redeemed, one accepted while the store was offline (its value is
/// not known yet, so no balance is computed).
fn offline_sale() -> SaleView {
    let accepted = Intent {
        id: "v9".into(),
        state: IntentState::Queued,
        queued_at: Some(CLOSED_AT - 30_000),
        accepted_offline: true,
        ..Intent::default()
    };
    view_of(2_000, vec![redeemed("v8", 500, "CDC Vouchers 2026", "txn_01JD8S1111"), accepted])
}

fn report() -> Report {
    let tally = |value, count| Tally { value, count };
    let mut totals = Totals { value: 184_500, count: 97, ..Totals::default() };
    totals.by_campaign.insert("CDC Vouchers 2026".into(), tally(154_500, 95));
    totals.by_campaign.insert("Climate Friendly Households".into(), tally(30_000, 2));
    totals.by_terminal.insert("T01".into(), tally(120_000, 60));
    totals.by_terminal.insert("T02".into(), tally(64_500, 37));
    totals.by_cashier.insert("c042".into(), tally(184_500, 97));
    Report {
        date: "2026-12-01".into(),
        time_zone: "Asia/Singapore".into(),
        branch: "B001".into(),
        terminal: "T01".into(),
        matched: Vec::new(),
        service_only: Vec::new(),
        local_only: Vec::new(),
        totals,
        findings: vec![Finding {
            kind: FindingKind::NotAtService,
            intent_id: Some("v77".into()),
            transaction_id: Some("txn_01JD8T9999".into()),
            message: "Redeemed here at 13:02 but the service has no transaction txn_01JD8T9999: in the review inbox."
                .into(),
        }],
        opened_reviews: Vec::new(),
        sales: SalesOfDay { closed: 58, still_open: Some(59) },
    }
}

/// Compares with the golden files, or writes them with `UPDATE_FIXTURES=1`.
fn golden(name: &str, receipt: &Receipt, paper: Paper) -> String {
    let dir = common::manifest_dir().join("tests/fixtures/receipts");
    let (bin, txt) = (dir.join(format!("{name}.bin")), dir.join(format!("{name}.txt")));
    let bytes = receipt.escpos(paper);
    let text = receipt.text(paper);
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(&bin, &bytes).unwrap();
        std::fs::write(&txt, &text).unwrap();
    }
    let want =
        std::fs::read(&bin).unwrap_or_else(|_| panic!("{} is missing: UPDATE_FIXTURES=1 writes it", bin.display()));
    assert_eq!(std::fs::read_to_string(&txt).unwrap(), text, "{name}: the receipt's text changed");
    assert!(bytes == want, "{name}: the ESC/POS bytes changed ({} bytes, golden {})", bytes.len(), want.len());
    for line in text.lines() {
        // Transaction ids print in the small font, which fits more on a line.
        let id = line.starts_with("txn_") || line.starts_with("transaction_");
        let fits = if id { paper.small_columns() } else { paper.columns() };
        assert!(line.chars().count() <= fits, "{name}: {line:?} is wider than {} mm paper", paper.mm());
    }
    text
}

#[test]
fn a_sale_receipt_prints_what_rsg_asks_on_80_and_58_mm_paper() {
    let mut view = cdc_sale();
    // The sandbox's ids are this long: one must print whole on either paper.
    view.lines[1].intent.transaction_id = Some("transaction_0b7feadf-9eb8-4102-8304-e6008203ed6f".into());
    for (name, paper) in [("sale-80", Paper::Mm80), ("sale-58", Paper::Mm58)] {
        let text = golden(name, &receipt::sale(&shop(), &view, &zone(), false, en()), paper);
        for want in [
            "UEN 53123456A",
            "Sale 7",
            "Cashier c042",
            "01/12/2026 14:05",
            "S$42.50",
            "txn_01JD8Q2M4X",
            "CDC Vouchers 2026",
            "S$15.00",
            "S$27.50",
            "Vouchers were used in this sale.",
        ] {
            assert!(text.contains(want), "{name} lacks {want:?}:\n{text}");
        }
        let id = "transaction_0b7feadf-9eb8-4102-8304-e6008203ed6f";
        let lines: Vec<&str> = text.lines().collect();
        let at = lines.iter().position(|l| id.starts_with(l) && !l.is_empty()).expect("the long id is printed");
        assert_eq!(lines[at..].concat().get(..id.len()), Some(id), "{name}: the id is cut only at the paper's edge");
        assert!(!text.contains("COPY"), "an original is not marked COPY");
        assert!(!text.contains("already been used"), "a refused voucher paid nothing and is not on the receipt");
    }
}

#[test]
fn a_reprint_is_marked_copy_at_its_top_and_bottom() {
    let text = golden("sale-copy-80", &receipt::sale(&shop(), &cdc_sale(), &zone(), true, en()), Paper::Mm80);
    assert_eq!(text.matches("COPY - NOT THE ORIGINAL").count(), 2, "{text}");
}

#[test]
fn a_cfhp_receipt_carries_the_receipt_number_skus_and_the_forfeited_amount() {
    let text = golden("sale-cfhp-80", &receipt::sale(&shop(), &cfhp_sale(), &zone(), false, en()), Paper::Mm80);
    for want in ["R-20261201-0007", "SKUs 8888001, 8888002", "Climate Friendly Households"] {
        assert!(text.contains(want), "lacks {want:?}:\n{text}");
    }
    let forfeited = text.lines().find(|l| l.starts_with("Forfeited")).unwrap();
    assert!(forfeited.ends_with("S$40.10"), "S$300.00 of vouchers on a S$259.90 sale: {forfeited}");
    let due = text.lines().find(|l| l.starts_with("Balance due")).unwrap();
    assert!(due.ends_with("S$0.00"), "{due}");
}

#[test]
fn a_voucher_accepted_offline_prints_as_to_be_confirmed_and_no_balance_is_guessed() {
    let text = golden("sale-offline-80", &receipt::sale(&shop(), &offline_sale(), &zone(), false, en()), Paper::Mm80);
    assert!(text.contains("Voucher (to be confirmed)") && text.contains("and 1 to be confirmed"), "{text}");
    let due = text.lines().find(|l| l.starts_with("Balance due")).unwrap();
    assert!(due.ends_with('-'), "no amount is computed from a value nobody knows: {due}");
}

#[test]
fn the_z_report_prints_the_branchs_day_and_every_finding_in_words() {
    let text = golden(
        "z-report-80",
        &receipt::z_report(&shop(), &report(), &Currency::default(), &zone(), CLOSED_AT + 4 * 3_600_000, en()),
        Paper::Mm80,
    );
    for want in [
        "END OF DAY (Z) REPORT",
        "01/12/2026",
        "97 redemptions",
        "S$1,845.00",
        "T02 (37)",
        "Sale 59 is still open",
        "txn_01JD8T9999",
    ] {
        assert!(text.contains(want), "lacks {want:?}:\n{text}");
    }
}

#[test]
fn the_test_print_names_the_printer_and_rules_the_paper_edge_to_edge() {
    for (name, paper) in [("test-80", Paper::Mm80), ("test-58", Paper::Mm58)] {
        let r = receipt::test_page(&shop(), paper, "network:192.168.1.50:9100", &zone(), CLOSED_AT, en());
        let text = golden(name, &r, paper);
        assert!(text.contains("192.168.1.50:9100"), "{text}");
        assert!(text.lines().any(|l| l == "-".repeat(paper.columns())), "{text}");
    }
}

#[test]
fn every_receipt_starts_with_initialise_and_ends_with_one_cut() {
    let bytes = receipt::sale(&shop(), &cdc_sale(), &zone(), false, en()).escpos(Paper::Mm80);
    assert_eq!(&bytes[..2], b"\x1b@", "ESC @ first: a printer left in another mode by the last job starts clean");
    assert_eq!(&bytes[bytes.len() - 4..], b"\x1dVA\x00", "GS V A 0 last: fed to the cutter, then the full cut");
    assert_eq!(bytes.windows(2).filter(|w| *w == b"\x1dV").count(), 1, "one cut: one receipt");
}

fn en() -> &'static Messages {
    Messages::of(Lang::En)
}

/// Issue 22: a receipt speaks the terminal's language where the printer can print
/// it: Malay in Latin letters; a Chinese or Tamil terminal prints English rather
/// than rows of `?` (a thermal printer's code page has neither script).
#[test]
fn a_malay_terminal_prints_its_receipt_in_malay_and_a_chinese_or_tamil_one_in_english() {
    let ms = Messages::of(Lang::Ms.receipts());
    let text = golden("sale-80-ms", &receipt::sale(&shop(), &cdc_sale(), &zone(), true, ms), Paper::Mm80);
    for want in
        ["Jualan 7", "Juruwang c042", "Baki perlu dibayar", "Baucar telah digunakan dalam jualan ini.", "SALINAN"]
    {
        assert!(text.contains(want), "the Malay receipt lacks {want:?}:\n{text}");
    }
    assert!(!text.contains("Balance due") && !text.contains('?'), "no English and nothing unprintable:\n{text}");
    for lang in [Lang::Zh, Lang::Ta] {
        let m = Messages::of(lang.receipts());
        let text = receipt::sale(&shop(), &cdc_sale(), &zone(), false, m).text(Paper::Mm80);
        assert!(text.contains("Vouchers were used in this sale.") && !text.contains('?'), "{lang}:\n{text}");
    }
}
