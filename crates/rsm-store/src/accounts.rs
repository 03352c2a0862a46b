//! Accounts, their sign-in sessions and their API tokens.
//!
//! Secrets are never stored: passwords as argon2id PHC strings (hashed by the caller),
//! session ids and API tokens as SHA-256 hex digests (hashed by the caller).

use jiff::Timestamp;
use rsm_core::{access::Role, body::BodyId};

use crate::{Attribution, Store, StoreError, audit, from_micros, micros, parse_party};

/// A person's account.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    /// Preferred language tag (`en`, `ko`, `zh`, `ja`, `ru`).
    pub language: String,
    /// IANA time zone the person sees times in.
    pub time_zone: String,
    pub created_at: Timestamp,
    /// The argon2id PHC string; `None` for accounts that may only use tokens.
    pub password_hash: Option<String>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("role", &self.role)
            .field("disabled", &self.disabled)
            .field(
                "password_hash",
                &self.password_hash.as_ref().map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

/// What is needed to create an account.
#[derive(Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub language: String,
    pub time_zone: String,
}

/// A live sign-in session.
#[derive(Debug, Clone)]
pub struct Session {
    pub account: Account,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenScope {
    /// Safe methods only (GET, HEAD).
    Read,
    /// Everything the account may do.
    Write,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "read" => Some(Self::Read),
            "write" => Some(Self::Write),
            _ => None,
        }
    }
}

/// A stored API token (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub scope: TokenScope,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
}

/// Accounts, sessions and tokens.
#[allow(async_fn_in_trait)]
pub trait AccountStore {
    async fn create_account(
        &self,
        new: &NewAccount,
        who: &Attribution,
    ) -> Result<Account, StoreError>;
    async fn account(&self, id: i64) -> Result<Option<Account>, StoreError>;
    async fn account_by_username(&self, username: &str) -> Result<Option<Account>, StoreError>;
    async fn accounts(&self) -> Result<Vec<Account>, StoreError>;
    /// Disables (or re-enables) an account and ends its sessions.
    async fn set_disabled(
        &self,
        id: i64,
        disabled: bool,
        who: &Attribution,
    ) -> Result<(), StoreError>;
    /// Replaces the password hash and ends every session of the account.
    async fn set_password(
        &self,
        id: i64,
        password_hash: &str,
        who: &Attribution,
    ) -> Result<(), StoreError>;
    async fn set_preferences(
        &self,
        id: i64,
        language: &str,
        time_zone: &str,
        who: &Attribution,
    ) -> Result<(), StoreError>;

    async fn create_session(
        &self,
        token_hash: &str,
        account_id: i64,
        csrf_token: &str,
        expires_at: Timestamp,
        who: &Attribution,
    ) -> Result<(), StoreError>;
    /// The live session with this id hash, if it exists, has not expired and its
    /// account is enabled.
    async fn session(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<Session>, StoreError>;
    async fn delete_session(&self, token_hash: &str, who: &Attribution) -> Result<(), StoreError>;

    async fn create_token(
        &self,
        account_id: i64,
        name: &str,
        token_hash: &str,
        scope: TokenScope,
        expires_at: Option<Timestamp>,
        who: &Attribution,
    ) -> Result<ApiToken, StoreError>;
    /// The token with this hash and its account, whatever its state (the caller judges
    /// expiry and revocation, so it can say which).
    async fn token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<(ApiToken, Account)>, StoreError>;
    async fn token(&self, id: i64) -> Result<Option<ApiToken>, StoreError>;
    async fn tokens_of(&self, account_id: i64) -> Result<Vec<ApiToken>, StoreError>;
    async fn revoke_token(&self, id: i64, who: &Attribution) -> Result<(), StoreError>;
    async fn touch_token(&self, id: i64, at: Timestamp) -> Result<(), StoreError>;
}

const ACCOUNT_COLUMNS: &str = "id, username, display_name, role_kind, party, body_id, password_hash, \
     disabled, language, time_zone, created_at";

type AccountRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    String,
    String,
    i64,
);

fn decode_account(row: AccountRow) -> Result<Account, StoreError> {
    let (id, username, display_name, kind, party, body, password_hash, disabled, language, tz, at) =
        row;
    let party = party.as_deref().map(parse_party).transpose()?;
    let body = body.as_deref().map(BodyId::parse).transpose()?;
    let role = Role::from_parts(&kind, party, body)
        .map_err(|e| StoreError::Corrupt(format!("account {username}: {e}")))?;
    Ok(Account {
        id,
        username,
        display_name,
        role,
        disabled: disabled != 0,
        language,
        time_zone: tz,
        created_at: from_micros(at)?,
        password_hash,
    })
}

const TOKEN_COLUMNS: &str =
    "id, account_id, name, scope, created_at, expires_at, revoked_at, last_used_at";
type TokenRow = (
    i64,
    i64,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

fn decode_token(row: TokenRow) -> Result<ApiToken, StoreError> {
    let (id, account_id, name, scope, created, expires, revoked, used) = row;
    Ok(ApiToken {
        id,
        account_id,
        name,
        scope: TokenScope::parse(&scope)
            .ok_or_else(|| StoreError::Corrupt(format!("token scope {scope:?}")))?,
        created_at: from_micros(created)?,
        expires_at: expires.map(from_micros).transpose()?,
        revoked_at: revoked.map(from_micros).transpose()?,
        last_used_at: used.map(from_micros).transpose()?,
    })
}

impl AccountStore for Store {
    async fn create_account(
        &self,
        new: &NewAccount,
        who: &Attribution,
    ) -> Result<Account, StoreError> {
        let mut tx = self.pool().begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO accounts (username, display_name, role_kind, party, body_id, password_hash, \
             disabled, language, time_zone, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9) RETURNING id",
        )
        .bind(&new.username)
        .bind(&new.display_name)
        .bind(new.role.kind())
        .bind(new.role.party().map(|p| p.as_str()))
        .bind(new.role.body().map(|b| b.as_str()))
        .bind(new.password_hash.as_deref())
        .bind(&new.language)
        .bind(&new.time_zone)
        .bind(micros(who.at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::conflict_or(e, || format!("account {}", new.username)))?;
        audit::append(
            &mut *tx,
            who,
            "account.create",
            &format!("account:{id}"),
            &format!("{} as {}", new.username, new.role.kind()),
        )
        .await?;
        tx.commit().await?;
        self.account(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("account {id}")))
    }

    async fn account(&self, id: i64) -> Result<Option<Account>, StoreError> {
        let row: Option<AccountRow> = sqlx::query_as(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(decode_account).transpose()
    }

    async fn account_by_username(&self, username: &str) -> Result<Option<Account>, StoreError> {
        let row: Option<AccountRow> = sqlx::query_as(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(self.pool())
        .await?;
        row.map(decode_account).transpose()
    }

    async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let rows: Vec<AccountRow> = sqlx::query_as(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY username"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(decode_account).collect()
    }

    async fn set_disabled(
        &self,
        id: i64,
        disabled: bool,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query("UPDATE accounts SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("account {id}")));
        }
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE account_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let action = if disabled {
            "account.disable"
        } else {
            "account.enable"
        };
        audit::append(&mut *tx, who, action, &format!("account:{id}"), "").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_password(
        &self,
        id: i64,
        password_hash: &str,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("account {id}")));
        }
        sqlx::query("DELETE FROM sessions WHERE account_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut *tx,
            who,
            "account.password",
            &format!("account:{id}"),
            "password changed; sessions ended",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_preferences(
        &self,
        id: i64,
        language: &str,
        time_zone: &str,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query("UPDATE accounts SET language = $1, time_zone = $2 WHERE id = $3")
            .bind(language)
            .bind(time_zone)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("account {id}")));
        }
        audit::append(
            &mut *tx,
            who,
            "account.preferences",
            &format!("account:{id}"),
            &format!("language {language}, time zone {time_zone}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_session(
        &self,
        token_hash: &str,
        account_id: i64,
        csrf_token: &str,
        expires_at: Timestamp,
        who: &Attribution,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(csrf_token)
        .bind(micros(who.at))
        .bind(micros(expires_at))
        .execute(&mut *tx)
        .await?;
        // Expired sessions are removed as new ones are made: no background job.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(micros(who.at))
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut *tx,
            who,
            "session.sign-in",
            &format!("account:{account_id}"),
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<Session>, StoreError> {
        let row: Option<(i64, String, i64)> = sqlx::query_as(
            "SELECT account_id, csrf_token, expires_at FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        let Some((account_id, csrf_token, expires)) = row else {
            return Ok(None);
        };
        let expires_at = from_micros(expires)?;
        if expires_at <= now {
            return Ok(None);
        }
        match self.account(account_id).await? {
            Some(account) if !account.disabled => Ok(Some(Session {
                account,
                csrf_token,
                expires_at,
            })),
            _ => Ok(None),
        }
    }

    async fn delete_session(&self, token_hash: &str, who: &Attribution) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        let target = who
            .account_id
            .map(|id| format!("account:{id}"))
            .unwrap_or_default();
        audit::append(&mut *tx, who, "session.sign-out", &target, "").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_token(
        &self,
        account_id: i64,
        name: &str,
        token_hash: &str,
        scope: TokenScope,
        expires_at: Option<Timestamp>,
        who: &Attribution,
    ) -> Result<ApiToken, StoreError> {
        let mut tx = self.pool().begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO api_tokens (account_id, name, token_hash, scope, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(account_id)
        .bind(name)
        .bind(token_hash)
        .bind(scope.as_str())
        .bind(micros(who.at))
        .bind(expires_at.map(micros))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::conflict_or(e, || "token".to_owned()))?;
        audit::append(
            &mut *tx,
            who,
            "token.create",
            &format!("token:{id}"),
            &format!("{name:?} ({}) for account:{account_id}", scope.as_str()),
        )
        .await?;
        tx.commit().await?;
        self.token(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("token {id}")))
    }

    async fn token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<(ApiToken, Account)>, StoreError> {
        let row: Option<TokenRow> = sqlx::query_as(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        let Some(token) = row.map(decode_token).transpose()? else {
            return Ok(None);
        };
        let account = self
            .account(token.account_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("token {} has no account", token.id)))?;
        Ok(Some((token, account)))
    }

    async fn token(&self, id: i64) -> Result<Option<ApiToken>, StoreError> {
        let row: Option<TokenRow> = sqlx::query_as(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(decode_token).transpose()
    }

    async fn tokens_of(&self, account_id: i64) -> Result<Vec<ApiToken>, StoreError> {
        let rows: Vec<TokenRow> = sqlx::query_as(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE account_id = $1 ORDER BY id"
        ))
        .bind(account_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(decode_token).collect()
    }

    async fn revoke_token(&self, id: i64, who: &Attribution) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(micros(who.at))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("active token {id}")));
        }
        audit::append(&mut *tx, who, "token.revoke", &format!("token:{id}"), "").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn touch_token(&self, id: i64, at: Timestamp) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(micros(at))
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
