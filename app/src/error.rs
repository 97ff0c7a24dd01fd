//! Errors as server functions carry them to the browser: the typed
//! [`AppError`], so the page can explain it in the reader's language.

use rembuk_domain::AppError;
use serde::{Deserialize, Serialize};
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

use crate::codec::LeanJson;
use rembuk_domain::json::{FromJson, JsonError, Value};

/// A server function's error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UiError(pub AppError);

impl From<AppError> for UiError {
    fn from(e: AppError) -> Self {
        UiError(e)
    }
}

impl std::fmt::Display for UiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl FromJson for UiError {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        AppError::from_json(value).map(UiError)
    }
}

impl FromServerFnError for UiError {
    type Encoder = LeanJson;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        UiError(match value {
            ServerFnErrorErr::Request(detail) => AppError::Network { detail },
            ServerFnErrorErr::Args(detail)
            | ServerFnErrorErr::MissingArg(detail)
            | ServerFnErrorErr::Deserialization(detail) => AppError::Malformed { detail },
            _ => AppError::Internal,
        })
    }
}

/// What server functions return.
pub type UiResult<T> = Result<T, UiError>;
