//! Rembuk's domain: the things a smart city FGD is made of and the rules they
//! follow. Plain Rust with no I/O, no web framework and no database, so that
//! the server, the browser (WASM) and the tests share one definition of what
//! a vote budget, a phase or a join code is.

pub mod audit;
pub mod card;
pub mod dimension;
pub mod error;
pub mod event;
pub mod group;
pub mod i18n;
pub mod ids;
pub mod json;
pub mod moderation;
pub mod privacy;
pub mod question;
pub mod ranking;
pub mod ratelimit;
pub mod rating;
pub mod report;
pub mod session;
pub mod similar;
pub mod snapshot;
pub mod tally;
pub mod text;
pub mod throttle;
pub mod time;
pub mod user;
pub mod vote;
pub mod wire;
pub mod workshop;

pub use error::{AppError, Entity, Field, Problem};
pub use i18n::Lang;
pub use ids::{CardId, ParticipantId, QuestionId, SessionId, UserId, WorkshopId};
