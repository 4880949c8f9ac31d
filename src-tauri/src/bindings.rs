//! The TypeScript twins of every type that crosses the IPC boundary, generated from
//! the Rust types with ts-rs. `ui/src/bindings.ts` is committed; the test below
//! fails when it no longer matches the Rust types, and `UPDATE_BINDINGS=1 cargo test
//! -p voucher-pos-app` rewrites it (`ipc::check_current`).

#[cfg(test)]
mod tests {
    use ts_rs::{Config, TS};

    use crate::ipc::IpcError;
    use voucher_pos::app::retention::Archived;
    use voucher_pos::app::startup::StartupProblem;
    use voucher_pos::app::terminal::{RedeemView, Settlement};
    use voucher_pos::app::{Detail, Exported, SettingsView, Status};
    use voucher_pos::checkout::access::{
        audit::{AuditEntry, AuditPage},
        AccessState, Cashier,
    };
    use voucher_pos::checkout::policy::{OfflinePolicy, OfflineVerdict};
    use voucher_pos::checkout::sale::{SaleLine, SaleTotals, SaleView, SaleVoucher};
    use voucher_pos::checkout::settings::TerminalSettings;
    use voucher_pos::domain::intent::{Intent, IntentState};
    use voucher_pos::records::redemption_log::{LogCursor, LogFilter, LogPage};
    use voucher_pos::records::report::{Finding, FindingKind, LocalRow, Report, SalesOfDay, ServiceRow, Tally, Totals};
    use voucher_pos::scan::camera::CameraInfo;
    use voucher_pos::service::sync::{Connectivity, SyncEvent};
    use voucher_pos::store::{Attempt, HistoryEntry, QueueSummary, Sale, ScanResult};

    fn generate() -> String {
        // JSON numbers: the terminal's integers (Unix ms, cents, counts) fit in a double.
        let cfg = Config::new().with_large_int("number");
        let decls = [
            IntentState::decl(&cfg),
            Intent::decl(&cfg),
            ScanResult::decl(&cfg),
            QueueSummary::decl(&cfg),
            Connectivity::decl(&cfg),
            OfflineVerdict::decl(&cfg),
            RedeemView::decl(&cfg),
            Settlement::decl(&cfg),
            SyncEvent::decl(&cfg),
            Attempt::decl(&cfg),
            HistoryEntry::decl(&cfg),
            LogFilter::decl(&cfg),
            LogCursor::decl(&cfg),
            LogPage::decl(&cfg),
            voucher_pos::ErrorCode::decl(&cfg),
            IpcError::decl(&cfg),
            Status::decl(&cfg),
            voucher_pos::app::ScannerNote::decl(&cfg),
            voucher_pos::app::ConnectionCheck::decl(&cfg),
            voucher_pos::records::report::OwnTally::decl(&cfg),
            AccessState::decl(&cfg),
            Cashier::decl(&cfg),
            AuditEntry::decl(&cfg),
            AuditPage::decl(&cfg),
            StartupProblem::decl(&cfg),
            Exported::decl(&cfg),
            SaleVoucher::decl(&cfg),
            SaleTotals::decl(&cfg),
            Sale::decl(&cfg),
            SaleLine::decl(&cfg),
            SaleView::decl(&cfg),
            Tally::decl(&cfg),
            Totals::decl(&cfg),
            ServiceRow::decl(&cfg),
            LocalRow::decl(&cfg),
            FindingKind::decl(&cfg),
            Finding::decl(&cfg),
            SalesOfDay::decl(&cfg),
            Report::decl(&cfg),
            Detail::decl(&cfg),
            TerminalSettings::decl(&cfg),
            OfflinePolicy::decl(&cfg),
            CameraInfo::decl(&cfg),
            SettingsView::decl(&cfg),
            Archived::decl(&cfg),
            voucher_pos::app::printing::Printed::decl(&cfg),
            voucher_pos::app::printing::PrintNote::decl(&cfg),
            voucher_pos::records::redemption_log::ReviewItem::decl(&cfg),
            voucher_pos::messages::Lang::decl(&cfg),
            voucher_pos::checkout::policy::OfflineRule::decl(&cfg),
            voucher_pos::app::printing::Printout::decl(&cfg),
        ];
        let mut out = String::from("// Generated from the Rust types by src-tauri/src/bindings.rs. Do not edit.\n\n");
        for d in decls {
            out.push_str("export ");
            out.push_str(&d);
            out.push_str("\n\n");
        }
        out
    }

    #[test]
    fn the_committed_typescript_bindings_match_the_rust_types() {
        crate::ipc::check_current("../ui/src/bindings.ts", |_| generate());
    }
}
