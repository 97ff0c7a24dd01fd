//! How server functions' answers and errors travel: JSON, read as text.
//! Both codecs here write what serde's derived `Serialize` writes; they
//! differ in how the browser reads it.
//!
//! - [`LeanJson`] ([`PhoneOut`]): what the participant's page calls, and
//!   every server function's error. Read by `rembuk_domain::json`, one
//!   parser shared by every type, as the phone also reads its live events,
//!   its outbox and the snapshot it starts from. No serde reader reaches
//!   the phone's WebAssembly.
//! - [`JsonText`] ([`JsonOut`]): the other answers (staff screens, the
//!   join page), read by serde_json as `&str` (server_fn's own `Json`
//!   reads `&[u8]`, which would compile serde_json's reader of each type a
//!   second time).
//!
//! The bytes on the wire are the same either way.
//!
//! [`PhoneCall`] is how the participant's page calls its server functions:
//! on the server, exactly server_fn's own protocol; in the browser, one
//! `fetch` ([`crate::fetch`]).

use bytes::Bytes;
use http::Method;
use rembuk_domain::json::{self, FromJson};
use serde::{Serialize, de::DeserializeOwned};
use server_fn::{
    ContentType, Decodes, Encodes, Format, FormatType, Http, Protocol,
    client::Client,
    codec::{Post, PostUrl},
    server::Server,
};

use crate::error::UiError;

/// JSON, decoded from text (see the module's notes).
pub struct JsonText;

/// A `POST` whose answer is [`JsonText`]: the `output` of the server
/// functions the phone's bundle does not call (staff screens, joining).
pub type JsonOut = Post<JsonText>;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = DecodeError<serde_json::Error>;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(|_| DecodeError::NotText)?;
        serde_json::from_str(text).map_err(DecodeError::Json)
    }
}

/// JSON written by serde and read by [`rembuk_domain::json`]: the answers
/// and errors of what the phone calls. serde's reader compiles a copy of
/// itself for every type it reads; this one is shared (see that module).
pub struct LeanJson;

/// A `POST` whose answer is [`LeanJson`]: the `output` of every server
/// function the participant's page calls.
pub type PhoneOut = Post<LeanJson>;

impl ContentType for LeanJson {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for LeanJson {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for LeanJson {
    type Error = serde_json::Error;

    /// Written as [`JsonText`] writes it.
    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        <JsonText as Encodes<T>>::encode(output)
    }
}

impl<T: FromJson> Decodes<T> for LeanJson {
    type Error = DecodeError<json::JsonError>;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(|_| DecodeError::NotText)?;
        json::read(text).map_err(DecodeError::Json)
    }
}

/// The protocol of the server functions the participant's page calls
/// (`#[server(protocol = PhoneCall)]`).
///
/// On the server it is `Http<PostUrl, PhoneOut>` itself: the arguments
/// come as a form, as a plain form post sends them, and the answer goes
/// back as JSON ([`LeanJson`]). In the browser [`crate::fetch`] writes the
/// arguments as that form ([`ToForm`]), sends them with one `fetch`, and
/// reads the answer, or the error, as text with `rembuk_domain::json`.
/// server_fn's own browser client (gloo-net, byte buffers, streaming
/// bodies, a generic error reader for each error type, serde_qs to write
/// the form) is code that five calls, each one form out and one JSON text
/// back, do not need on every phone.
pub struct PhoneCall;

/// What [`PhoneCall`] is on the server.
type PlainCall = Http<PostUrl, PhoneOut>;

impl<I, O, C, S> Protocol<I, O, C, S, UiError> for PhoneCall
where
    PlainCall: Protocol<I, O, C, S, UiError>,
    I: ToForm + Send,
    O: FromJson + Send,
    C: Client<UiError>,
    S: Server<UiError>,
{
    const METHOD: Method = Method::POST;

    fn run_server<F, Fut>(
        request: S::Request,
        server_fn: F,
    ) -> impl Future<Output = Result<S::Response, UiError>> + Send
    where
        F: Fn(I) -> Fut + Send,
        Fut: Future<Output = Result<O, UiError>> + Send,
    {
        <PlainCall as Protocol<I, O, C, S, UiError>>::run_server(request, server_fn)
    }

    fn run_client(path: &str, input: I) -> impl Future<Output = Result<O, UiError>> + Send {
        #[cfg(feature = "hydrate")]
        {
            crate::fetch::call(path, input)
        }
        #[cfg(not(feature = "hydrate"))]
        {
            <PlainCall as Protocol<I, O, C, S, UiError>>::run_client(path, input)
        }
    }
}

/// What a [`PhoneCall`] answer with `status` and body `text` means.
///
/// An error status carries a [`UiError`] as JSON. A body that cannot be
/// read is [`AppError::Malformed`](rembuk_domain::AppError::Malformed),
/// except with a 5xx status: that is a proxy's or gateway's page while the
/// server is down or restarting, so [`AppError::Network`](rembuk_domain::AppError::Network),
/// which the phone waits out (the outbox keeps what it holds) instead of
/// taking it as a refusal.
pub fn read_answer<O: FromJson>(status: u16, text: &str) -> Result<O, UiError> {
    use rembuk_domain::AppError;
    let unreadable = |e: json::JsonError| {
        UiError(if status >= 500 {
            AppError::Network {
                detail: format!("HTTP {status}"),
            }
        } else {
            AppError::Malformed {
                detail: e.to_string(),
            }
        })
    };
    if (400..600).contains(&status) {
        Err(json::read::<UiError>(text).unwrap_or_else(unreadable))
    } else {
        json::read::<O>(text).map_err(unreadable)
    }
}

/// A server function's arguments, written as the form a plain post of its
/// page would send (`application/x-www-form-urlencoded`), which the server
/// reads with serde_qs like any other form. [`form_args!`](crate::form_args)
/// implements it for an argument struct.
pub trait ToForm {
    fn to_form(&self) -> String;
}

/// A value in a form: `name=value` pairs appended to `form`.
pub trait FormValue {
    fn append(&self, name: &str, form: &mut String);
}

/// Appends `name=value`, both percent-encoded.
pub fn append_pair(form: &mut String, name: &str, value: &str) {
    if !form.is_empty() {
        form.push('&');
    }
    percent_encode(name, form);
    form.push('=');
    percent_encode(value, form);
}

/// Everything but the unreserved characters of RFC 3986, percent-encoded
/// as UTF-8 bytes.
fn percent_encode(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

macro_rules! form_text {
    ($($ty:ty),+) => {
        $(impl FormValue for $ty {
            fn append(&self, name: &str, form: &mut String) {
                append_pair(form, name, &self.to_string());
            }
        })+
    };
}

form_text!(
    String,
    i64,
    rembuk_domain::CardId,
    rembuk_domain::QuestionId
);

/// An absent value is no field (serde_qs reads it as `None`).
impl<T: FormValue> FormValue for Option<T> {
    fn append(&self, name: &str, form: &mut String) {
        if let Some(value) = self {
            value.append(name, form);
        }
    }
}

/// A list as serde_qs reads it: `name[0]=…&name[1]=…`.
impl<T: FormValue> FormValue for Vec<T> {
    fn append(&self, name: &str, form: &mut String) {
        for (i, value) in self.iter().enumerate() {
            value.append(&format!("{name}[{i}]"), form);
        }
    }
}

/// Implements [`ToForm`] for a server function's argument struct, one
/// field per argument: `form_args!(SetVote { card_id, dots })`.
#[macro_export]
macro_rules! form_args {
    ($ty:ident { $($field:ident),+ $(,)? }) => {
        impl $crate::codec::ToForm for $ty {
            fn to_form(&self) -> String {
                let mut form = String::new();
                $($crate::codec::FormValue::append(&self.$field, stringify!($field), &mut form);)+
                form
            }
        }
    };
}

/// Why an answer could not be read; `E` is the JSON reader's error.
#[derive(Debug)]
pub enum DecodeError<E> {
    /// The answer was not UTF-8.
    NotText,
    Json(E),
}

impl<E: std::fmt::Display> std::fmt::Display for DecodeError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::NotText => f.write_str("the answer is not UTF-8 text"),
            DecodeError::Json(e) => e.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rembuk_domain::AppError;

    #[test]
    fn writes_what_it_reads() {
        let error = AppError::OverBudget {
            budget: 5,
            used_elsewhere: 3,
            requested: 4,
        };
        let bytes = <JsonText as Encodes<AppError>>::encode(&error).unwrap();
        assert_eq!(bytes, serde_json::to_vec(&error).unwrap());
        let back: AppError = <JsonText as Decodes<AppError>>::decode(bytes).unwrap();
        assert_eq!(back, error);
    }

    #[test]
    fn the_lean_codec_writes_what_it_reads() {
        let error = UiError(AppError::OverBudget {
            budget: 5,
            used_elsewhere: 3,
            requested: 4,
        });
        let bytes = <LeanJson as Encodes<UiError>>::encode(&error).unwrap();
        assert_eq!(bytes, serde_json::to_vec(&error).unwrap());
        let back: UiError = <LeanJson as Decodes<UiError>>::decode(bytes).unwrap();
        assert_eq!(back, error);
        let bad = <LeanJson as Decodes<UiError>>::decode(Bytes::from_static(b"\xff\xfe"));
        assert_eq!(bad.unwrap_err().to_string(), "the answer is not UTF-8 text");
        let bad = <LeanJson as Decodes<UiError>>::decode(Bytes::from_static(b"{\"code\":"));
        assert_eq!(bad.unwrap_err().to_string(), "expected a JSON value");
    }

    #[test]
    fn reads_a_phone_calls_answer_by_its_status() {
        let ok: Result<u32, UiError> = read_answer(200, "7");
        assert_eq!(ok, Ok(7));
        let refused = serde_json::to_string(&UiError(AppError::DotsOff)).unwrap();
        let e: Result<u32, UiError> = read_answer(409, &refused);
        assert_eq!(e, Err(UiError(AppError::DotsOff)));
        // Our own 503 says what it is.
        let ours = serde_json::to_string(&UiError(AppError::Network {
            detail: "shutting down".into(),
        }))
        .unwrap();
        let e: Result<u32, UiError> = read_answer(503, &ours);
        assert_eq!(
            e,
            Err(UiError(AppError::Network {
                detail: "shutting down".into()
            }))
        );
        // A gateway's page while the server restarts: wait, do not drop.
        let e: Result<u32, UiError> = read_answer(502, "<html>Bad Gateway</html>");
        assert_eq!(
            e,
            Err(UiError(AppError::Network {
                detail: "HTTP 502".into()
            }))
        );
        // Anything else unreadable is malformed.
        let e: Result<u32, UiError> = read_answer(404, "<html>Not Found</html>");
        assert!(
            matches!(e, Err(UiError(AppError::Malformed { .. }))),
            "{e:?}"
        );
        let e: Result<u32, UiError> = read_answer(200, "{\"half\":");
        assert!(
            matches!(e, Err(UiError(AppError::Malformed { .. }))),
            "{e:?}"
        );
    }

    #[test]
    fn says_what_is_wrong_with_an_unreadable_answer() {
        let bad = <JsonText as Decodes<AppError>>::decode(Bytes::from_static(b"\xff\xfe"));
        assert_eq!(bad.unwrap_err().to_string(), "the answer is not UTF-8 text");
        let bad = <JsonText as Decodes<AppError>>::decode(Bytes::from_static(b"{\"code\":"));
        assert!(matches!(bad, Err(DecodeError::Json(_))));
    }
}
