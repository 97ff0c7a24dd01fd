//! Staff accounts: first-run setup, accounts, logins.

use std::{
    net::IpAddr,
    sync::{Mutex, PoisonError},
};

use rembuk_domain::{
    AppError, UserId,
    throttle::{LOGIN_PER_ACCOUNT, LOGIN_PER_ADDRESS, Throttle},
    time::Timestamp,
    user::{Role, User, check_new_password, parse_email},
};

use crate::{
    Caller, Services,
    auth::{self, TokenKind, hash_token},
    storage::{self, users},
};

/// A successful login: the account and its token (for the cookie or for
/// `Authorization: Bearer`).
#[derive(Clone)]
pub struct Login {
    pub user: User,
    pub token: String,
    pub expires_at: Timestamp,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("user", &self.user)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// Where the first administrator may be created from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SetupFrom {
    /// Any address: a server its operator sets up before announcing it.
    #[default]
    Anywhere,
    /// Only the computer running Rembuk: a loopback address or one of its
    /// own, listed here. Venue mode, where phones on the same network can
    /// reach the app (and its setup page) from the moment it starts.
    ThisComputer(Vec<IpAddr>),
}

impl SetupFrom {
    /// Whether a request from `from` (unknown: `None`) may set up.
    pub fn allows(&self, from: Option<IpAddr>) -> bool {
        match self {
            SetupFrom::Anywhere => true,
            SetupFrom::ThisComputer(own) => from
                .map(|ip| ip.to_canonical())
                .is_some_and(|ip| ip.is_loopback() || own.iter().any(|o| o.to_canonical() == ip)),
        }
    }
}

impl Services {
    /// Whether the instance still needs its first administrator.
    pub async fn needs_setup(&self) -> Result<bool, AppError> {
        let mut conn = self.store().read().await?;
        Ok(users::count_users(&mut conn).await? == 0)
    }

    /// Whether to send a visitor from `from` to the setup page: the first
    /// administrator is missing and may be created from there. A phone at
    /// a venue gets the home page (the code box) instead.
    pub async fn offers_setup_to(&self, from: Option<IpAddr>) -> Result<bool, AppError> {
        Ok(self.config().setup_from.allows(from) && self.needs_setup().await?)
    }

    /// [`Services::set_up_admin`] for a request from `from`: refused with
    /// [`AppError::SetupElsewhere`] where setup is for this computer only.
    pub async fn set_up_admin_from(
        &self,
        email: &str,
        password: &str,
        from: Option<IpAddr>,
    ) -> Result<Login, AppError> {
        if !self.config().setup_from.allows(from) {
            tracing::warn!(?from, "first-run setup refused: not from this computer");
            return Err(AppError::SetupElsewhere);
        }
        self.set_up_admin(email, password).await
    }

    /// Creates the first administrator and signs them in (on this computer:
    /// the command line, or a request already checked by
    /// [`Services::set_up_admin_from`]). Refused once any account exists, so
    /// the setup page cannot be used to take over.
    pub async fn set_up_admin(&self, email: &str, password: &str) -> Result<Login, AppError> {
        let email = parse_email(email)?;
        check_new_password(password)?;
        let hash = hash_blocking(password.to_string()).await?;
        let mut tx = self.store().write().await?;
        if users::count_users(tx.conn()).await? > 0 {
            return Err(AppError::AlreadySetUp);
        }
        let user = users::insert_user(
            tx.conn(),
            UserId(uuid::Uuid::new_v4()),
            &email,
            &hash,
            Role::Admin,
            storage::now(),
        )
        .await?;
        let login = self.start_login(&mut tx, user).await?;
        tx.commit().await?;
        tracing::info!(email = %login.user.email, "first administrator created");
        Ok(login)
    }

    /// Adds a staff account. Only administrators (and the command line) may.
    #[tracing::instrument(skip_all, fields(role))]
    pub async fn add_user(
        &self,
        caller: &Caller,
        email: &str,
        role: &str,
        password: &str,
    ) -> Result<User, AppError> {
        caller.require_admin()?;
        let email = parse_email(email)?;
        let role: Role = role.parse()?;
        check_new_password(password)?;
        let hash = hash_blocking(password.to_string()).await?;
        let mut tx = self.store().write().await?;
        let inserted = users::insert_user(
            tx.conn(),
            UserId(uuid::Uuid::new_v4()),
            &email,
            &hash,
            role,
            storage::now(),
        )
        .await;
        let user = match inserted {
            Ok(user) => user,
            Err(e) if e.is_unique_violation() => return Err(AppError::EmailTaken),
            Err(e) => return Err(e.into()),
        };
        tx.commit().await?;
        tracing::info!(email = %user.email, role = role.as_str(), "account added");
        Ok(user)
    }

    /// Every staff account (administrators only).
    pub async fn list_users(&self, caller: &Caller) -> Result<Vec<User>, AppError> {
        caller.require_admin()?;
        let mut conn = self.store().read().await?;
        Ok(users::list_users(&mut conn).await?)
    }

    /// Signs an account out on every device (administrators only): for a
    /// lost laptop or a person who left. Returns how many logins ended.
    pub async fn revoke_logins(&self, caller: &Caller, user: UserId) -> Result<u64, AppError> {
        caller.require_admin()?;
        let mut tx = self.store().write().await?;
        let exists = users::list_users(tx.conn())
            .await?
            .iter()
            .any(|u| u.id == user);
        if !exists {
            return Err(AppError::not_found(rembuk_domain::Entity::User));
        }
        let n = users::revoke_user_sessions(tx.conn(), user, storage::now()).await?;
        tx.commit().await?;
        tracing::info!(%user, logins = n, "logins revoked");
        Ok(n)
    }

    /// Signs a staff member in. Wrong email and wrong password give the same
    /// answer and take the same time.
    pub async fn log_in(&self, email: &str, password: &str) -> Result<Login, AppError> {
        self.log_in_from(email, password, None).await
    }

    /// [`Services::log_in`] from a network address. Guessing is slowed per
    /// account (5 failures in 15 minutes) and per address (30): over it,
    /// the answer is "try again in N seconds" without checking the
    /// password, for known and unknown emails alike.
    #[tracing::instrument(skip_all)]
    pub async fn log_in_from(
        &self,
        email: &str,
        password: &str,
        from: Option<IpAddr>,
    ) -> Result<Login, AppError> {
        let account = email.trim().to_lowercase();
        let address = from.map(|ip| ip.to_string());
        self.inner.logins.check(&account, address.as_deref())?;
        let outcome = self.check_password(email, password).await;
        match &outcome {
            Err(AppError::BadCredentials) => {
                tracing::info!("failed login");
                self.inner.logins.fail(&account, address.as_deref());
            }
            Ok(_) => self.inner.logins.succeed(&account),
            Err(_) => {}
        }
        outcome
    }

    async fn check_password(&self, email: &str, password: &str) -> Result<Login, AppError> {
        let email = parse_email(email).map_err(|_| AppError::BadCredentials)?;
        let found = {
            let mut conn = self.store().read().await?;
            users::user_with_hash(&mut conn, &email).await?
        };
        let (user, hash) = match found {
            Some((user, hash)) => (Some(user), hash),
            None => (None, auth::decoy_hash().to_string()),
        };
        let password = password.to_string();
        let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
            .await
            .map_err(|_| AppError::Internal)?;
        let (true, Some(user)) = (ok, user) else {
            return Err(AppError::BadCredentials);
        };
        let mut tx = self.store().write().await?;
        let login = self.start_login(&mut tx, user).await?;
        tx.commit().await?;
        Ok(login)
    }

    /// Ends a login (the token stops working at once).
    pub async fn log_out(&self, token: &str) -> Result<(), AppError> {
        let mut tx = self.store().write().await?;
        users::revoke_staff_session(tx.conn(), &hash_token(token), storage::now()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn start_login(&self, tx: &mut storage::Tx, user: User) -> Result<Login, AppError> {
        let token = auth::new_token(TokenKind::Staff);
        let now = storage::now();
        let ttl = self.config().staff_session_ttl.as_millis() as i64;
        let expires_at = Timestamp(now.millis() + ttl);
        users::insert_staff_session(tx.conn(), &hash_token(&token), user.id, now, expires_at)
            .await?;
        Ok(Login {
            user,
            token,
            expires_at,
        })
    }
}

async fn hash_blocking(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|_| AppError::Internal)
}

/// Failed logins, per account and per network address, in memory: a
/// restart forgets them, which only ever lets a guesser start over at
/// five tries.
#[derive(Debug)]
pub(crate) struct LoginGuard {
    accounts: Mutex<Throttle>,
    addresses: Mutex<Throttle>,
}

impl Default for LoginGuard {
    fn default() -> Self {
        LoginGuard {
            accounts: Mutex::new(Throttle::new(LOGIN_PER_ACCOUNT)),
            addresses: Mutex::new(Throttle::new(LOGIN_PER_ADDRESS)),
        }
    }
}

impl LoginGuard {
    fn check(&self, account: &str, address: Option<&str>) -> Result<(), AppError> {
        let now = storage::now().millis();
        let by_account = self
            .accounts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .check(account, now);
        let by_address = match address {
            Some(a) => self
                .addresses
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .check(a, now),
            None => Ok(()),
        };
        match (by_account, by_address) {
            (Ok(()), Ok(())) => Ok(()),
            (Err(a), Err(b)) => Err(AppError::RateLimited {
                retry_after_secs: a.max(b),
            }),
            (Err(s), _) | (_, Err(s)) => Err(AppError::RateLimited {
                retry_after_secs: s,
            }),
        }
    }

    fn fail(&self, account: &str, address: Option<&str>) {
        let now = storage::now().millis();
        self.accounts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .fail(account, now);
        if let Some(a) = address {
            self.addresses
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .fail(a, now);
        }
    }

    fn succeed(&self, account: &str) {
        self.accounts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_is_for_this_computer_only_where_asked() {
        let phone: IpAddr = "192.168.1.57".parse().unwrap();
        let laptop: IpAddr = "192.168.1.10".parse().unwrap();
        assert!(SetupFrom::Anywhere.allows(Some(phone)));
        assert!(SetupFrom::Anywhere.allows(None));

        let venue = SetupFrom::ThisComputer(vec![laptop, "fe80::1".parse().unwrap()]);
        assert!(venue.allows(Some("127.0.0.1".parse().unwrap())));
        assert!(venue.allows(Some("::1".parse().unwrap())));
        // Its own address, as when its browser opens the LAN address.
        assert!(venue.allows(Some(laptop)));
        // The same, reaching a dual-stack listener.
        assert!(venue.allows(Some("::ffff:192.168.1.10".parse().unwrap())));
        assert!(venue.allows(Some("::ffff:127.0.0.1".parse().unwrap())));
        assert!(!venue.allows(Some(phone)));
        assert!(!venue.allows(Some("::ffff:192.168.1.57".parse().unwrap())));
        // An address it cannot tell is refused.
        assert!(!venue.allows(None));
    }
}
