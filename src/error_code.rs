//! The stable codes of every failure, with no dependency on the modules that fail:
//! each module's error returns one (`code()`), the page gets them as a TypeScript
//! union, the CLI maps them to exit codes.

macro_rules! error_codes {
    ($($variant:ident => $code:literal,)*) => {
        /// Every stable error code the terminal gives, in one enum: the page switches on
        /// it as a TypeScript union (a misspelt code fails the type check), the CLI maps
        /// it to exit codes, and no two failures can share a code by accident (a test).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ts_rs::TS)]
        #[ts(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            /// Every code, in the order written here.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as the page, the logs and the CLI print it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }
        }
    };
}

error_codes! {
    AcceptNotAllowed => "accept_not_allowed",
    AlreadyAccepted => "already_accepted",
    AlreadyDeclined => "already_declined",
    AlreadyRunning => "already_running",
    AlreadyRunningNotAnswering => "already_running_not_answering",
    ApiKeyMissing => "api_key_missing",
    ApiKeyOtherService => "api_key_other_service",
    ApiKeyRequired => "api_key_required",
    ApiKeyWithoutService => "api_key_without_service",
    ArchiveMismatch => "archive_mismatch",
    AutostartFailed => "autostart_failed",
    BackupIo => "backup_io",
    BackupNotABackup => "backup_not_a_backup",
    BackupSchemaDiffers => "backup_schema_differs",
    BackupTerminalRunning => "backup_terminal_running",
    CameraLost => "camera_lost",
    CameraNone => "camera_none",
    CameraNotBuilt => "camera_not_built",
    CameraOpenFailed => "camera_open_failed",
    CancelNotAllowed => "cancel_not_allowed",
    CashierBadName => "cashier_bad_name",
    CashierExists => "cashier_exists",
    CashierIdleOutOfRange => "cashier_idle_out_of_range",
    CashierNotFound => "cashier_not_found",
    CashierSignedOut => "cashier_signed_out",
    CodeBadPrefix => "code_bad_prefix",
    CodeBadVoucherId => "code_bad_voucher_id",
    CodeControlCharacters => "code_control_characters",
    CodeEmpty => "code_empty",
    CodeNoVouchers => "code_no_vouchers",
    CodeNotText => "code_not_text",
    CodeNotVoucher => "code_not_voucher",
    CodeTooLong => "code_too_long",
    CodeTooManyVouchers => "code_too_many_vouchers",
    CodeWebAddress => "code_web_address",
    ConfigBadApiKey => "config_bad_api_key",
    ConfigBadUrl => "config_bad_url",
    ConfigCredentialsInUrl => "config_credentials_in_url",
    ConfigHttp => "config_http",
    ConfigInsecureUrl => "config_insecure_url",
    ContextBadField => "context_bad_field",
    ContextCfhpNeedsSkus => "context_cfhp_needs_skus",
    ContextMetadataTooLong => "context_metadata_too_long",
    ContextMissingField => "context_missing_field",
    DeclineNotAllowed => "decline_not_allowed",
    ExportInsideDataFolder => "export_inside_data_folder",
    ExportIo => "export_io",
    FramesBadImage => "frames_bad_image",
    FramesNone => "frames_none",
    InstanceIo => "instance_io",
    IntentIllegalTransition => "intent_illegal_transition",
    IntentNotFound => "intent_not_found",
    IntentStateChanged => "intent_state_changed",
    LogLevelUnknown => "log_level_unknown",
    LookupBadReply => "lookup_bad_reply",
    LookupStatus => "lookup_status",
    LookupTimeout => "lookup_timeout",
    LookupUnreachable => "lookup_unreachable",
    ManagerIdleLockOutOfRange => "manager_idle_lock_out_of_range",
    ManagerLocked => "manager_locked",
    MoneyMalformed => "money_malformed",
    MoneyNegative => "money_negative",
    MoneyTooLarge => "money_too_large",
    NotSandbox => "not_sandbox",
    OfflineNotAllowed => "offline_not_allowed",
    PaperUnknown => "paper_unknown",
    PinAlreadySet => "pin_already_set",
    PinBackoff => "pin_backoff",
    PinBadShape => "pin_bad_shape",
    PinChangeRequired => "pin_change_required",
    PinCommon => "pin_common",
    PinHash => "pin_hash",
    PinMismatch => "pin_mismatch",
    PinNotSet => "pin_not_set",
    PinRepeat => "pin_repeat",
    PinRun => "pin_run",
    PinUnchanged => "pin_unchanged",
    PinWrong => "pin_wrong",
    PinYear => "pin_year",
    PrinterBadReply => "printer_bad_reply",
    PrinterCoverOpen => "printer_cover_open",
    PrinterDevice => "printer_device",
    PrinterFault => "printer_fault",
    PrinterNoAnswer => "printer_no_answer",
    PrinterNotSet => "printer_not_set",
    PrinterPaperOut => "printer_paper_out",
    PrinterRefused => "printer_refused",
    PrinterReset => "printer_reset",
    PrinterTargetInvalid => "printer_target_invalid",
    PrinterUnknownHost => "printer_unknown_host",
    ReceiptSaleOpen => "receipt_sale_open",
    ReportServiceUnreadable => "report_service_unreadable",
    RetentionTooShort => "retention_too_short",
    SaleClosed => "sale_closed",
    SaleUnresolved => "sale_unresolved",
    SandboxFailed => "sandbox_failed",
    SecretsDamaged => "secrets_damaged",
    SecretsFileTooOpen => "secrets_file_too_open",
    SecretsIo => "secrets_io",
    SecretsKeyring => "secrets_keyring",
    SecretsNoKeyring => "secrets_no_keyring",
    ServiceTimeUnknown => "service_time_unknown",
    ServiceTimeUnreachable => "service_time_unreachable",
    SettleNeedsNote => "settle_needs_note",
    SigninRateLimited => "signin_rate_limited",
    SourceEnded => "source_ended",
    StoreCorrupt => "store_corrupt",
    StoreDiskFull => "store_disk_full",
    StoreIo => "store_io",
    StoreLocked => "store_locked",
    StoreMigration => "store_migration",
    StoreNewerSchema => "store_newer_schema",
    StoreSqlite => "store_sqlite",
    StoreUnavailable => "store_unavailable",
    VoucherInOtherSale => "voucher_in_other_sale",
    ZoneBadDate => "zone_bad_date",
    ZoneUnknown => "zone_unknown",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Tests and scripts compare codes with their text.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_codes_are_the_same_and_each_is_written_as_the_page_expects() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.as_str()), "{} twice", c.as_str());
            assert_eq!(serde_json::to_string(c).unwrap(), format!("\"{}\"", c.as_str()));
            assert!(c.as_str().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{c}");
        }
        // The TypeScript union is made from the variant names: it must spell each
        // code exactly as `as_str` does.
        use ts_rs::TS;
        let ts = ErrorCode::decl(&ts_rs::Config::new());
        for c in ErrorCode::ALL {
            assert!(ts.contains(&format!("\"{}\"", c.as_str())), "{c} is not in {ts}");
        }
    }
}
