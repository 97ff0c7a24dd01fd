//! Reading JSON in the browser without serde.
//!
//! serde's derived `Deserialize`, read through `serde_json`, compiles a
//! reader of its own for every type (`deserialize_struct` with the
//! type's visitor inlined, and again for every `Vec` of it), and serde's
//! error messages bring Rust's float formatter along. In the phone's
//! WebAssembly that was about a sixth of the code. Here one parser, which
//! is not generic, reads any JSON into a [`Value`]; each type then takes
//! its fields out of that value by name ([`FromJson`]), in a few lines
//! that [`json_struct!`](crate::json_struct) writes.
//!
//! The server still writes every answer with serde's derived `Serialize`
//! (and reads requests with its `Deserialize`); what is read here is
//! exactly that JSON, with the same rules: unknown fields are ignored, an
//! absent or `null` field is `None` for an `Option`, and a field marked
//! `default` (serde's `#[serde(default)]`) falls back to its default.
//! Tests write every type with serde and read it back here.

use std::fmt;

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number written without a fraction or an exponent (that fits).
    Int(i128),
    /// Any other number.
    Float(f64),
    String(String),
    Array(Vec<Value>),
    /// Members in the order written.
    Object(Vec<(String, Value)>),
}

/// Why JSON could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// What was wrong.
    pub what: &'static str,
    /// The innermost field it was in, when known.
    pub field: Option<&'static str>,
}

impl JsonError {
    /// A name that is not one of a [`Tag`](crate::wire::Tag)'s.
    pub const UNKNOWN_NAME: JsonError = JsonError {
        what: "unknown name",
        field: None,
    };

    /// An error of this kind.
    pub const fn new(what: &'static str) -> JsonError {
        JsonError { what, field: None }
    }

    /// This error, in `field`.
    pub const fn at(mut self, field: &'static str) -> JsonError {
        self.field = Some(field);
        self
    }

    /// This error, said to be in `field` unless an inner field is known.
    fn in_field(mut self, field: &'static str) -> JsonError {
        self.field.get_or_insert(field);
        self
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what)?;
        if let Some(field) = self.field {
            f.write_str(" in `")?;
            f.write_str(field)?;
            f.write_str("`")?;
        }
        Ok(())
    }
}

impl std::error::Error for JsonError {}

/// A type read from JSON.
pub trait FromJson: Sized {
    fn from_json(value: Value) -> Result<Self, JsonError>;
}

/// Reads a `T` from JSON text.
pub fn read<T: FromJson>(text: &str) -> Result<T, JsonError> {
    T::from_json(parse(text)?)
}

/// How deep arrays and objects may nest (the parser recurses).
const MAX_DEPTH: u32 = 64;

/// Parses JSON text (RFC 8259) into a [`Value`].
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = parser.value(0)?;
    parser.skip_space();
    if parser.at != parser.bytes.len() {
        return Err(JsonError::new("trailing characters after JSON"));
    }
    Ok(value)
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn literal(&mut self, word: &'static [u8], value: Value) -> Result<Value, JsonError> {
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(JsonError::new("unexpected word in JSON"))
        }
    }

    fn value(&mut self, depth: u32) -> Result<Value, JsonError> {
        if depth > MAX_DEPTH {
            return Err(JsonError::new("JSON nested too deeply"));
        }
        self.skip_space();
        match self.peek() {
            Some(b'n') => self.literal(b"null", Value::Null),
            Some(b't') => self.literal(b"true", Value::Bool(true)),
            Some(b'f') => self.literal(b"false", Value::Bool(false)),
            Some(b'"') => self.string().map(Value::String),
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                if self.close(b']') {
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    if self.close(b']') {
                        return Ok(Value::Array(items));
                    }
                    self.expect(b',')?;
                }
            }
            Some(b'{') => {
                self.at += 1;
                let mut members = Vec::new();
                if self.close(b'}') {
                    return Ok(Value::Object(members));
                }
                loop {
                    self.skip_space();
                    if self.peek() != Some(b'"') {
                        return Err(JsonError::new("expected a member name in JSON"));
                    }
                    let name = self.string()?;
                    self.expect(b':')?;
                    members.push((name, self.value(depth + 1)?));
                    if self.close(b'}') {
                        return Ok(Value::Object(members));
                    }
                    self.expect(b',')?;
                }
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(JsonError::new("expected a JSON value")),
        }
    }

    /// Takes `end` (after any space) if it comes next.
    fn close(&mut self, end: u8) -> bool {
        self.skip_space();
        let found = self.peek() == Some(end);
        self.at += usize::from(found);
        found
    }

    fn expect(&mut self, what: u8) -> Result<(), JsonError> {
        if self.close(what) {
            Ok(())
        } else {
            Err(JsonError::new("expected `,` or `:` in JSON"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        self.at - start
    }

    /// A number. Integers that fit `i128` stay exact; others become `f64`
    /// from their first 19 significant digits and the exponent, which is
    /// exact to the last bit for what the server writes (`f32`s).
    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.at;
        let negative = self.peek() == Some(b'-');
        self.at += usize::from(negative);
        let int_start = self.at;
        let int_digits = self.digits();
        if int_digits == 0 || (int_digits > 1 && self.bytes[int_start] == b'0') {
            return Err(JsonError::new("malformed number in JSON"));
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.at += 1;
            integer = false;
            if self.digits() == 0 {
                return Err(JsonError::new("malformed number in JSON"));
            }
        }
        let mut exponent: i32 = 0;
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            integer = false;
            let minus = self.peek() == Some(b'-');
            if let Some(b'-' | b'+') = self.peek() {
                self.at += 1;
            }
            let exp_start = self.at;
            if self.digits() == 0 {
                return Err(JsonError::new("malformed number in JSON"));
            }
            for &d in &self.bytes[exp_start..self.at] {
                exponent = exponent
                    .saturating_mul(10)
                    .saturating_add(i32::from(d - b'0'));
            }
            if minus {
                exponent = -exponent;
            }
        }
        let text = &self.bytes[start..self.at];
        if integer {
            let mut n: i128 = 0;
            let mut fits = true;
            for &d in &text[usize::from(negative)..] {
                let digit = i128::from(d - b'0');
                match n.checked_mul(10).and_then(|n| {
                    if negative {
                        n.checked_sub(digit)
                    } else {
                        n.checked_add(digit)
                    }
                }) {
                    Some(next) => n = next,
                    None => fits = false,
                }
            }
            if fits {
                return Ok(Value::Int(n));
            }
        }
        // Significant digits into a u64, the rest into the exponent.
        let mut mantissa: u64 = 0;
        let mut kept = 0;
        let mut after_point = false;
        for &b in &text[usize::from(negative)..] {
            match b {
                b'.' => after_point = true,
                b'0'..=b'9' => {
                    if kept < 19 {
                        if mantissa != 0 || b != b'0' {
                            kept += 1;
                        }
                        mantissa = mantissa * 10 + u64::from(b - b'0');
                        if after_point {
                            exponent -= 1;
                        }
                    } else if !after_point {
                        exponent += 1;
                    }
                }
                _ => break,
            }
        }
        let magnitude = scale(mantissa as f64, exponent);
        Ok(Value::Float(if negative { -magnitude } else { magnitude }))
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.at += 1; // the opening quote
        let mut out = String::new();
        loop {
            let start = self.at;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            // Runs between escapes are whole UTF-8 sequences: the input is
            // a `str` and they end before an ASCII byte.
            out.push_str(std::str::from_utf8(&self.bytes[start..self.at]).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escaped = self
                        .peek()
                        .ok_or(JsonError::new("unfinished string in JSON"))?;
                    self.at += 1;
                    out.push(match escaped {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode()?,
                        _ => return Err(JsonError::new("unknown escape in JSON string")),
                    });
                }
                _ => return Err(JsonError::new("unfinished string in JSON")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut n = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or(JsonError::new("malformed \\u escape in JSON"))?;
            self.at += 1;
            n = n * 16 + digit;
        }
        Ok(n)
    }

    /// The character of a `\u` escape (the `\u` taken), joining a
    /// surrogate pair. A lone surrogate reads as U+FFFD, as serde_json's
    /// lossy reading does.
    fn unicode(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) && self.bytes[self.at..].starts_with(b"\\u")
        {
            let back = self.at;
            self.at += 2;
            let second = self.hex4()?;
            if (0xDC00..0xE000).contains(&second) {
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            } else {
                self.at = back;
                first
            }
        } else {
            first
        };
        Ok(char::from_u32(code).unwrap_or('\u{FFFD}'))
    }
}

/// `mantissa × 10^exponent`. Powers up to 10^22 are exact in `f64`, so
/// one multiplication or division rounds once.
fn scale(mantissa: f64, exponent: i32) -> f64 {
    let mut power = 1.0;
    for _ in 0..exponent.unsigned_abs().min(400) {
        power *= 10.0;
    }
    if exponent < 0 {
        mantissa / power
    } else {
        mantissa * power
    }
}

/// An object's members, taken out one field at a time.
pub struct Fields(Vec<(String, Value)>);

impl Fields {
    /// The members of an object; anything else is an error.
    pub fn new(value: Value) -> Result<Fields, JsonError> {
        match value {
            Value::Object(members) => Ok(Fields(members)),
            _ => Err(JsonError::new("expected a JSON object")),
        }
    }

    fn value(&mut self, name: &str) -> Value {
        match self.0.iter().position(|(n, _)| n == name) {
            Some(i) => self.0.swap_remove(i).1,
            None => Value::Null,
        }
    }

    /// The field `name`, read as `T`; absent reads as `null`.
    pub fn take<T: FromJson>(&mut self, name: &'static str) -> Result<T, JsonError> {
        T::from_json(self.value(name)).map_err(|e| e.in_field(name))
    }

    /// The field `name`, or `T`'s default when absent or `null`.
    pub fn take_or_default<T: FromJson + Default>(
        &mut self,
        name: &'static str,
    ) -> Result<T, JsonError> {
        match self.value(name) {
            Value::Null => Ok(T::default()),
            value => T::from_json(value).map_err(|e| e.in_field(name)),
        }
    }
}

/// Implements [`FromJson`] for a struct with named fields, read from an
/// object with the same member names: `json_struct!(Card { id, text,
/// pinned: default })`. `field = "name"` reads a member of another name;
/// `: default` is serde's `#[serde(default)]`.
#[macro_export]
macro_rules! json_struct {
    ($ty:ident { $($field:ident $(= $name:literal)? $(: $how:ident)?),+ $(,)? }) => {
        impl $crate::json::FromJson for $ty {
            fn from_json(value: $crate::json::Value) -> Result<Self, $crate::json::JsonError> {
                let mut fields = $crate::json::Fields::new(value)?;
                Ok($ty {
                    $($field: $crate::json_struct!(@take fields, $field $(= $name)? $(, $how)?),)+
                })
            }
        }
    };
    (@take $fields:ident, $field:ident) => {
        $fields.take(stringify!($field))?
    };
    (@take $fields:ident, $field:ident = $name:literal) => {
        $fields.take($name)?
    };
    (@take $fields:ident, $field:ident, default) => {
        $fields.take_or_default(stringify!($field))?
    };
}

impl FromJson for Value {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        Ok(value)
    }
}

impl FromJson for () {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::Null => Ok(()),
            _ => Err(JsonError::new("expected null")),
        }
    }
}

impl FromJson for bool {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::Bool(b) => Ok(b),
            _ => Err(JsonError::new("expected true or false")),
        }
    }
}

impl FromJson for String {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::String(s) => Ok(s),
            _ => Err(JsonError::new("expected a string")),
        }
    }
}

/// A string, for types read from their text.
pub fn text(value: Value) -> Result<String, JsonError> {
    String::from_json(value)
}

/// An integer of the JSON value, for every integer type.
fn integer(value: Value) -> Result<i128, JsonError> {
    match value {
        Value::Int(n) => Ok(n),
        _ => Err(JsonError::new("expected a whole number")),
    }
}

macro_rules! integers {
    ($($ty:ty),+) => {
        $(impl FromJson for $ty {
            fn from_json(value: Value) -> Result<Self, JsonError> {
                <$ty>::try_from(integer(value)?).map_err(|_| JsonError::new("number out of range"))
            }
        })+
    };
}

integers!(u8, u32, u64, i64);

impl FromJson for f32 {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::Int(n) => Ok(n as f32),
            Value::Float(x) => Ok(x as f32),
            _ => Err(JsonError::new("expected a number")),
        }
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::Null => Ok(None),
            value => T::from_json(value).map(Some),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        let Value::Array(items) = value else {
            return Err(JsonError::new("expected a list"));
        };
        // A loop rather than `collect()` into a `Result`: the adapter that
        // takes cost the phone's WebAssembly about a kilobyte per list type.
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(T::from_json(item)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn float(text: &str) -> f64 {
        match parse(text).unwrap() {
            Value::Float(x) => x,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn parses_every_kind_of_value() {
        let value = parse(r#" { "a" : [1, -2, 3.5, true, false, null], "b": {}, "c": [] } "#);
        assert_eq!(
            value.unwrap(),
            Value::Object(vec![
                (
                    "a".into(),
                    Value::Array(vec![
                        Value::Int(1),
                        Value::Int(-2),
                        Value::Float(3.5),
                        Value::Bool(true),
                        Value::Bool(false),
                        Value::Null,
                    ])
                ),
                ("b".into(), Value::Object(vec![])),
                ("c".into(), Value::Array(vec![])),
            ])
        );
    }

    #[test]
    fn reads_strings_with_every_escape() {
        let text = serde_json::to_string("a\"b\\c/\u{8}\u{c}\n\r\t\u{1}é😀</script>").unwrap();
        assert_eq!(
            read::<String>(&text).unwrap(),
            "a\"b\\c/\u{8}\u{c}\n\r\t\u{1}é😀</script>"
        );
        assert_eq!(read::<String>(r#""\u00e9\ud83d\ude00\/""#).unwrap(), "é😀/");
        assert_eq!(read::<String>(r#""\ud83d x""#).unwrap(), "\u{FFFD} x");
        assert!(read::<String>(r#""\x""#).is_err());
        assert!(read::<String>(r#""\u12""#).is_err());
        assert!(read::<String>("\"open").is_err());
        assert!(read::<String>("\"a\nb\"").is_err());
    }

    #[test]
    fn reads_numbers_as_serde_json_writes_them() {
        assert_eq!(read::<u64>(&u64::MAX.to_string()), Ok(u64::MAX));
        assert_eq!(read::<i64>(&i64::MIN.to_string()), Ok(i64::MIN));
        assert_eq!(read::<i64>(&i64::MAX.to_string()), Ok(i64::MAX));
        assert_eq!(read::<u8>("255"), Ok(255));
        assert!(read::<u8>("256").is_err());
        assert!(read::<u32>("-1").is_err());
        assert!(read::<u32>("1.5").is_err());
        for x in [
            0.1f32,
            3.6666667,
            1.0,
            4.25,
            1e-7,
            123456.79,
            f32::MAX,
            f32::MIN_POSITIVE,
        ] {
            let text = serde_json::to_string(&x).unwrap();
            assert_eq!(read::<f32>(&text), Ok(x), "{text}");
        }
        assert_eq!(float("-0.5"), -0.5);
        assert_eq!(float("2E3"), 2000.0);
        assert_eq!(float("25e-1"), 2.5);
        let big = float("123456789012345678901234567890123456789012345");
        assert!((big / 1.2345678901234568e44 - 1.0).abs() < 1e-15, "{big}");
        assert_eq!(float("0.000125"), 0.000125);
        for bad in ["01", "-", "1.", ".5", "1e", "+1", "1e+"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in [
            "",
            "nul",
            "[1,]",
            "[1 2]",
            "{\"a\" 1}",
            "{a:1}",
            "{\"a\":1,}",
            "1 2",
            "[",
            "{",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert_eq!(parse(&deep).unwrap_err().what, "JSON nested too deeply");
    }

    #[derive(Debug, PartialEq, Default)]
    struct Sample {
        name: String,
        count: u32,
        note: Option<String>,
        tags: Vec<String>,
        kind: String,
    }

    crate::json_struct!(Sample {
        name,
        count: default,
        note,
        tags: default,
        kind = "type",
    });

    #[test]
    fn reads_a_struct_by_its_field_names() {
        let sample: Sample =
            read(r#"{"type":"x","extra":[1],"tags":["a"],"name":"n","count":2,"note":null}"#)
                .unwrap();
        assert_eq!(
            sample,
            Sample {
                name: "n".into(),
                count: 2,
                note: None,
                tags: vec!["a".into()],
                kind: "x".into(),
            }
        );
        let defaults: Sample = read(r#"{"name":"n","type":"x","count":null}"#).unwrap();
        assert_eq!(defaults.count, 0);
        assert!(defaults.tags.is_empty());
    }

    #[test]
    fn reads_a_list_in_order_and_stops_at_its_first_bad_item() {
        assert_eq!(read::<Vec<u32>>("[3, 1, 2]"), Ok(vec![3, 1, 2]));
        assert_eq!(read::<Vec<u32>>("[]"), Ok(vec![]));
        assert_eq!(
            read::<Vec<u32>>("[1, -1, \"x\"]").unwrap_err().to_string(),
            "number out of range"
        );
        assert_eq!(
            read::<Vec<u32>>("{}").unwrap_err().to_string(),
            "expected a list"
        );
    }

    #[test]
    fn names_the_field_that_could_not_be_read() {
        let missing = read::<Sample>(r#"{"type":"x"}"#).unwrap_err();
        assert_eq!(missing.to_string(), "expected a string in `name`");
        let wrong = read::<Vec<Sample>>(r#"[{"name":"n","type":"x","count":"2"}]"#).unwrap_err();
        assert_eq!(wrong.to_string(), "expected a whole number in `count`");
        assert_eq!(
            read::<Sample>("[]").unwrap_err().to_string(),
            "expected a JSON object"
        );
    }
}
