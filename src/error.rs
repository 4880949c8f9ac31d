//! The one error type the app and the command line see.
//!
//! Each module keeps its own `thiserror` enum; this wraps them so that every failure
//! carries a stable `code()` the UI switches on, and a message for a person. Where the
//! voucher service refused something, its own `error.message` is the message.

use crate::domain::intent::ContextError;
use crate::domain::voucher::CodeError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    Code(#[from] CodeError),
    #[error(transparent)]
    Context(#[from] ContextError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Config(#[from] crate::service::api::ConfigError),
    #[error(transparent)]
    Access(#[from] crate::checkout::access::AccessError),
    #[error(transparent)]
    Export(#[from] crate::records::export::ExportError),
    #[error(transparent)]
    Money(#[from] crate::checkout::sale::MoneyError),
    #[error(transparent)]
    Zone(#[from] crate::platform::clock::ZoneError),
    #[error(transparent)]
    Backup(#[from] crate::records::backup::BackupError),
    #[error(transparent)]
    Scan(#[from] crate::scan::SourceError),
    #[error(transparent)]
    Report(#[from] crate::records::report::ReportError),
    #[error(transparent)]
    Settings(#[from] crate::checkout::settings::SettingsError),
    #[error(transparent)]
    Secrets(#[from] crate::platform::secrets::SecretError),
    #[error(transparent)]
    Instance(#[from] crate::platform::instance::InstanceError),
    #[error(transparent)]
    Lookup(#[from] crate::service::api::LookupError),
    #[error(transparent)]
    Printer(#[from] crate::platform::printer::PrinterError),
    /// The action is not allowed now; the message says why, for the cashier.
    #[error("{message}")]
    NotAllowed { code: ErrorCode, message: String },
}

impl Error {
    /// A stable identifier, safe to switch on.
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            Error::Code(e) => e.code(),
            Error::Context(e) => e.code(),
            Error::Store(e) => e.code(),
            Error::Config(e) => e.code(),
            Error::Access(e) => e.code(),
            Error::Scan(e) => e.code(),
            Error::Export(e) => e.code(),
            Error::Money(e) => e.code(),
            Error::Zone(e) => e.code(),
            Error::Backup(e) => e.code(),
            Error::Report(e) => e.code(),
            Error::Settings(e) => e.code(),
            Error::Secrets(e) => e.code(),
            Error::Instance(e) => e.code(),
            Error::Lookup(e) => e.code(),
            Error::Printer(e) => e.code(),
            Error::NotAllowed { code, .. } => *code,
        }
    }
}

pub use crate::error_code::ErrorCode;
