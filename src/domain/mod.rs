//! What a voucher code and a redemption intent are, with no IO: the shape check of a
//! scanned code, the intent's states and the one table of allowed transitions, the
//! request's bytes and metadata. Everything above builds on these two words.

pub mod intent;
pub mod voucher;
