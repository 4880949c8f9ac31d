//! The one error type the app and the command line see.
//!
//! Each module keeps its own `thiserror` enum; this wraps them so that every failure
//! carries a stable `code()` the UI switches on, and a message for a person. Where the
//! voucher service refused something, its own `error.message` is the message.
//!
//! [`Error::words`] says it in the window's language: the errors a cashier or a
//! manager meets at the till (a code that is not a voucher, an amount, a PIN, a
//! session) are messages of `messages/`; every other one (rarer, and written for the
//! engineer on call) keeps its English sentence, and always its code.

use crate::domain::intent::ContextError;
use crate::domain::voucher::CodeError;
use crate::messages::{Arg, Messages};
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

impl Error {
    /// The message in `m`'s language (see the module's doc); English's equals
    /// `to_string()`, which a test checks for every error said here.
    pub fn words(&self, m: &Messages) -> String {
        use crate::checkout::access::pin::wait_in_words;
        use crate::checkout::access::AccessError as A;
        use crate::checkout::sale::MoneyError as M;
        let n = |v: usize| Arg::Count(i64::try_from(v).unwrap_or(i64::MAX));
        match self {
            Error::Code(e) => match e {
                CodeError::Empty => m.text("error-code-empty"),
                CodeError::NotText => m.text("error-code-not-text"),
                CodeError::WebAddress => m.text("error-code-web-address"),
                CodeError::ControlCharacters => m.text("error-code-control"),
                CodeError::TooLong { len, max } => {
                    m.format("error-code-too-long", &[("len", n(*len)), ("max", n(*max))])
                }
                CodeError::NotVoucher => m.text("error-code-not-voucher"),
                CodeError::BadPrefix(p) => m.format("error-code-bad-prefix", &[("prefix", p.as_str().into())]),
                CodeError::NoVouchers => m.text("error-code-no-vouchers"),
                CodeError::TooManyVouchers { count, max } => {
                    m.format("error-code-too-many", &[("count", n(*count)), ("max", n(*max))])
                }
                CodeError::BadVoucherId { position } => {
                    m.format("error-code-bad-voucher", &[("position", n(*position))])
                }
            },
            Error::Money(e) => match e {
                M::Malformed(typed) => m.format("error-money-malformed", &[("typed", format!("{typed:?}").into())]),
                M::Negative => m.text("error-money-negative"),
                M::TooLarge => m.text("error-money-too-large"),
            },
            Error::Access(e) => match e {
                A::BadShape { least } => m.format("error-pin-shape", &[("least", n(*least))]),
                A::Common(pin) => m.format("error-pin-common", &[("pin", pin.as_str().into())]),
                A::Run => m.text("error-pin-run"),
                A::Repeat => m.text("error-pin-repeat"),
                A::Year => m.text("error-pin-year"),
                A::Unchanged => m.text("error-pin-unchanged"),
                A::Mismatch => m.text("error-pin-mismatch"),
                A::Wrong { wait_s: 0 } => m.text("error-pin-wrong"),
                A::Wrong { wait_s } => m.format("error-pin-wrong-wait", &[("wait", wait_in_words(*wait_s, m).into())]),
                A::Wait { wait_s } => m.format("error-pin-wait", &[("wait", wait_in_words(*wait_s, m).into())]),
                A::NotSet => m.text("error-pin-not-set"),
                A::AlreadySet => m.text("error-pin-already-set"),
                A::Refused { code: ErrorCode::CashierSignedOut, .. } => m.text("error-signed-out"),
                A::Refused { code: ErrorCode::ManagerLocked, .. } => m.text("error-manager-locked"),
                _ => self.to_string(),
            },
            _ => self.to_string(),
        }
    }
}

pub use crate::error_code::ErrorCode;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkout::access::AccessError as A;
    use crate::checkout::sale::MoneyError as M;
    use crate::messages::Lang;

    fn said() -> Vec<Error> {
        vec![
            CodeError::Empty.into(),
            CodeError::NotText.into(),
            CodeError::WebAddress.into(),
            CodeError::ControlCharacters.into(),
            CodeError::TooLong { len: 9000, max: 4096 }.into(),
            CodeError::NotVoucher.into(),
            CodeError::BadPrefix("rsg-?".into()).into(),
            CodeError::NoVouchers.into(),
            CodeError::TooManyVouchers { count: 16, max: 15 }.into(),
            CodeError::BadVoucherId { position: 3 }.into(),
            M::Malformed("12,3x".into()).into(),
            M::Negative.into(),
            M::TooLarge.into(),
            A::BadShape { least: 6 }.into(),
            A::Common("123456".into()).into(),
            A::Run.into(),
            A::Repeat.into(),
            A::Year.into(),
            A::Unchanged.into(),
            A::Mismatch.into(),
            A::Wrong { wait_s: 0 }.into(),
            A::Wrong { wait_s: 1 }.into(),
            A::Wrong { wait_s: 16 }.into(),
            A::Wait { wait_s: 900 }.into(),
            A::NotSet.into(),
            A::AlreadySet.into(),
            A::Refused {
                code: ErrorCode::CashierSignedOut,
                message: "Sign in first: type your cashier id and PIN.".into(),
            }
            .into(),
            A::Refused {
                code: ErrorCode::ManagerLocked,
                message: "The manager screens are locked: enter the manager PIN.".into(),
            }
            .into(),
        ]
    }

    /// Issue 22: the English message file says each error exactly as the core's own
    /// sentence does (so English is unchanged), and every other language says it in
    /// its own words, with the same figures and data.
    #[test]
    fn an_error_a_cashier_meets_is_said_in_the_windows_language_and_english_is_unchanged() {
        for e in said() {
            assert_eq!(e.words(Messages::of(Lang::En)), e.to_string(), "{:?}", e.code());
            for lang in [Lang::Zh, Lang::Ms, Lang::Ta] {
                let w = e.words(Messages::of(lang));
                assert_ne!(w, e.to_string(), "{lang}: {:?} is not translated", e.code());
                for figure in ["9000", "4096", "rsg-?", "16", "15", "12,3x", "123456", "15 "] {
                    if e.to_string().contains(figure) && figure != "15 " {
                        assert!(w.contains(figure), "{lang}: {w:?} lost {figure:?}");
                    }
                }
            }
        }
        // The rest keep their English sentence, in every language.
        let other = Error::NotAllowed { code: ErrorCode::ExportIo, message: "The disk said no.".into() };
        assert_eq!(other.words(Messages::of(Lang::Zh)), "The disk said no.");
    }
}
