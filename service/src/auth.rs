//! Tokens, passwords and cookies.
//!
//! Every token is 32 random bytes from the operating system's CSPRNG,
//! base64url-encoded behind a prefix that says what it is (`rbs_` for a
//! staff login, `rbp_` for a participant's device). The database keeps
//! only a SHA-256 of each token. Browsers carry tokens in signed, HttpOnly,
//! SameSite=Lax cookies; API clients send them as `Authorization: Bearer`.

use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use cookie::{Cookie, CookieJar, Key, SameSite};
use http::{HeaderMap, header};
use rand::{TryRngCore, rngs::OsRng};
use rembuk_domain::Lang;
use sha2::{Digest, Sha256};

/// What a token stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A staff login.
    Staff,
    /// A participant's device.
    Device,
}

impl TokenKind {
    fn prefix(self) -> &'static str {
        match self {
            TokenKind::Staff => "rbs_",
            TokenKind::Device => "rbp_",
        }
    }
}

/// Makes a new token of `kind` (256 bits of entropy).
pub fn new_token(kind: TokenKind) -> String {
    let mut bytes = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system's random number generator failed");
    format!("{}{}", kind.prefix(), URL_SAFE_NO_PAD.encode(bytes))
}

/// The kind of a token, judged by its prefix and shape.
pub fn token_kind(token: &str) -> Option<TokenKind> {
    let valid = |rest: &str| {
        rest.len() == 43
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if let Some(rest) = token.strip_prefix("rbs_") {
        valid(rest).then_some(TokenKind::Staff)
    } else if let Some(rest) = token.strip_prefix("rbp_") {
        valid(rest).then_some(TokenKind::Device)
    } else {
        None
    }
}

/// The hash under which a token is stored.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hashes a password with argon2id (default parameters: 19 MiB, 2 passes).
pub fn hash_password(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .expect("argon2 hashing with default parameters cannot fail")
        .to_string()
}

/// Checks a password against its stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash that matches no password, checked when an email is unknown so
/// that a login takes as long whether or not the account exists.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&new_token(TokenKind::Staff)))
}

/// Makes a new cookie-signing secret.
pub fn new_cookie_secret() -> String {
    let mut bytes = [0u8; 64];
    OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system's random number generator failed");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What a request presents: at most one staff token and one device token.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub staff: Option<String>,
    pub device: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("staff", &self.staff.as_ref().map(|_| "<redacted>"))
            .field("device", &self.device.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Signs and reads Rembuk's cookies.
#[derive(Clone)]
pub struct Cookies {
    key: Key,
    secure: bool,
}

impl std::fmt::Debug for Cookies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cookies")
            .field("key", &"<redacted>")
            .field("secure", &self.secure)
            .finish()
    }
}

/// How long a participant's device cookie lives: long enough for a
/// two-day workshop and its follow-up session.
const DEVICE_COOKIE_DAYS: i64 = 60;
/// How long a language choice is remembered.
const LANG_COOKIE_DAYS: i64 = 365;

impl Cookies {
    /// `secret` is the instance's stored secret; `secure` is true when the
    /// app is served over HTTPS (cookies then carry `Secure` and the
    /// `__Host-` prefix).
    pub fn new(secret: &str, secure: bool) -> Cookies {
        let bytes = URL_SAFE_NO_PAD.decode(secret.trim()).unwrap_or_default();
        // A stored secret is 64 random bytes; anything else (a hand-set
        // secret) is stretched to 64 bytes with SHA-512.
        let key = if bytes.len() >= 64 {
            Key::from(&bytes)
        } else {
            Key::from(sha2::Sha512::digest(secret.as_bytes()).as_slice())
        };
        Cookies { key, secure }
    }

    fn name(&self, base: &'static str) -> String {
        if self.secure {
            format!("__Host-{base}")
        } else {
            base.to_string()
        }
    }

    /// Name of the staff login cookie.
    pub fn staff_name(&self) -> String {
        self.name("rembuk_s")
    }

    /// Name of the participant device cookie.
    pub fn device_name(&self) -> String {
        self.name("rembuk_p")
    }

    /// Name of the language cookie.
    pub fn lang_name(&self) -> String {
        self.name("rembuk_lang")
    }

    /// Reads the credentials of a request: its bearer token and its signed
    /// cookies. A bearer token wins over a cookie of the same kind.
    pub fn credentials(&self, headers: &HeaderMap) -> Credentials {
        let mut creds = Credentials::default();
        let jar = self.jar(headers);
        let signed = jar.signed(&self.key);
        creds.staff = signed
            .get(&self.staff_name())
            .map(|c| c.value().to_string());
        creds.device = signed
            .get(&self.device_name())
            .map(|c| c.value().to_string());
        if let Some(token) = bearer(headers) {
            match token_kind(token) {
                Some(TokenKind::Staff) => creds.staff = Some(token.to_string()),
                Some(TokenKind::Device) => creds.device = Some(token.to_string()),
                None => {}
            }
        }
        creds.staff = creds
            .staff
            .filter(|t| token_kind(t) == Some(TokenKind::Staff));
        creds.device = creds
            .device
            .filter(|t| token_kind(t) == Some(TokenKind::Device));
        creds
    }

    /// The language a person chose, from the language cookie.
    pub fn lang(&self, headers: &HeaderMap) -> Option<Lang> {
        self.jar(headers)
            .get(&self.lang_name())
            .and_then(|c| c.value().parse().ok())
    }

    fn jar(&self, headers: &HeaderMap) -> CookieJar {
        let mut jar = CookieJar::new();
        for value in headers.get_all(header::COOKIE) {
            if let Ok(value) = value.to_str() {
                for cookie in Cookie::split_parse_encoded(value.to_string()).flatten() {
                    jar.add_original(cookie);
                }
            }
        }
        jar
    }

    fn signed_cookie(
        &self,
        name: String,
        value: String,
        max_age: cookie::time::Duration,
    ) -> String {
        let mut jar = CookieJar::new();
        jar.signed_mut(&self.key).add(
            Cookie::build((name, value))
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(self.secure)
                .path("/")
                .max_age(max_age),
        );
        jar.delta()
            .next()
            .map(|c| c.encoded().to_string())
            .unwrap_or_default()
    }

    /// `Set-Cookie` value for a staff login lasting `max_age_secs`.
    pub fn staff_cookie(&self, token: &str, max_age_secs: i64) -> String {
        self.signed_cookie(
            self.staff_name(),
            token.to_string(),
            cookie::time::Duration::seconds(max_age_secs),
        )
    }

    /// `Set-Cookie` value for a participant's device token.
    pub fn device_cookie(&self, token: &str) -> String {
        self.signed_cookie(
            self.device_name(),
            token.to_string(),
            cookie::time::Duration::days(DEVICE_COOKIE_DAYS),
        )
    }

    /// `Set-Cookie` value that ends a staff login in the browser.
    pub fn clear_staff_cookie(&self) -> String {
        Cookie::build((self.staff_name(), ""))
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .path("/")
            .max_age(cookie::time::Duration::ZERO)
            .build()
            .to_string()
    }

    /// `Set-Cookie` value remembering a language choice.
    pub fn lang_cookie(&self, lang: Lang) -> String {
        Cookie::build((self.lang_name(), lang.code()))
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .path("/")
            .max_age(cookie::time::Duration::days(LANG_COOKIE_DAYS))
            .build()
            .to_string()
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn tokens_are_long_random_and_typed() {
        let a = new_token(TokenKind::Device);
        let b = new_token(TokenKind::Device);
        assert_ne!(a, b);
        assert!(a.starts_with("rbp_"));
        assert_eq!(token_kind(&a), Some(TokenKind::Device));
        assert_eq!(
            token_kind(&new_token(TokenKind::Staff)),
            Some(TokenKind::Staff)
        );
        assert_eq!(token_kind("rbp_short"), None);
        assert_eq!(token_kind("Bearer xyz"), None);
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), hash_token(&b));
    }

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("kopi sanger pagi");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("kopi sanger pagi", &hash));
        assert!(!verify_password("kopi sanger sore", &hash));
        assert!(!verify_password("anything", "not a hash"));
        assert!(!verify_password("anything", decoy_hash()));
    }

    fn headers_with_cookie(set_cookie: &str) -> HeaderMap {
        let pair = set_cookie.split(';').next().unwrap();
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(pair).unwrap());
        h
    }

    #[test]
    fn signed_cookies_round_trip_and_forgeries_are_ignored() {
        let cookies = Cookies::new(&new_cookie_secret(), false);
        let token = new_token(TokenKind::Device);
        let set = cookies.device_cookie(&token);
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"),
            "{set}"
        );
        assert!(!set.contains("Secure"));
        assert_eq!(
            cookies.credentials(&headers_with_cookie(&set)).device,
            Some(token.clone())
        );

        let other = Cookies::new(&new_cookie_secret(), false);
        assert_eq!(other.credentials(&headers_with_cookie(&set)).device, None);

        let forged = format!("rembuk_p={token}");
        assert_eq!(
            cookies.credentials(&headers_with_cookie(&forged)).device,
            None
        );
    }

    #[test]
    fn https_cookies_are_secure_and_host_prefixed() {
        let cookies = Cookies::new(&new_cookie_secret(), true);
        let set = cookies.staff_cookie(&new_token(TokenKind::Staff), 3600);
        assert!(set.starts_with("__Host-rembuk_s="), "{set}");
        assert!(set.contains("Secure"));
    }

    #[test]
    fn bearer_tokens_are_sorted_by_kind() {
        let cookies = Cookies::new(&new_cookie_secret(), false);
        let staff = new_token(TokenKind::Staff);
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {staff}")).unwrap(),
        );
        let creds = cookies.credentials(&h);
        assert_eq!(creds.staff, Some(staff));
        assert_eq!(creds.device, None);
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer nonsense"),
        );
        assert_eq!(cookies.credentials(&h), Credentials::default());
    }

    #[test]
    fn credentials_never_print_their_tokens() {
        let creds = Credentials {
            staff: Some("rbs_secret".into()),
            device: None,
        };
        assert!(!format!("{creds:?}").contains("secret"));
    }
}
