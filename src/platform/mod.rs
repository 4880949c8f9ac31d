//! The machine under the terminal: time, files, the keyring, one instance per data
//! folder, the login autostart entry. Knows nothing of vouchers and imports nothing
//! of the crate but the error codes, so every layer above can use it.

pub mod autostart;
pub mod clock;
pub mod fsx;
pub mod instance;
pub mod printer;
pub mod secrets;
