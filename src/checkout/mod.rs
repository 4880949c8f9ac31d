//! The till's rules: the sale (what pays, what needs the cashier's answer), the
//! store's offline policy, the terminal's settings, and who is at the till and may
//! do what. Decided here, shown by the page; built on the store and the service's
//! client, never on the records or the app above.

pub mod access;
pub mod policy;
pub mod sale;
pub mod sale_view;
pub mod settings;
