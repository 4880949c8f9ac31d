//! The voucher service: the client (every reply classified, only the service's own
//! JSON is evidence), what each answer proves (`verdict`, pure and table-tested), and
//! the sync engine that sends each intent with the same key and bytes until an
//! answer proves what happened. Below it: the store and the domain; nothing of the
//! checkout or the screens.

pub mod api;
pub mod sync;
pub mod verdict;
