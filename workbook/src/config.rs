//! Configuration, read once from the environment at start-up.
//!
//! Every value is checked here, so a typo such as `BCRYPT_COST=abc` stops the
//! server with a sentence naming the variable instead of a panic deep inside
//! a request. Tests build a [`Config`] from a map instead of the process
//! environment, which lets tests that run in parallel use different settings.

use std::collections::HashMap;
use std::fmt::Display;
use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;
use std::time::Duration;

/// Used when `JWT_SECRET` is unset. It is public in this repository, so a
/// server using it warns loudly: anyone can forge its tokens.
const DEVELOPMENT_SECRET: &str = "workbook-development-secret-do-not-use-in-production";

/// HS256 is only as strong as its key; shorter secrets can be brute-forced.
const MIN_SECRET_BYTES: usize = 32;

/// A value in the environment that the server cannot use.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: String,
    pub problem: String,
}

impl ConfigError {
    fn new(variable: &str, problem: impl Display) -> Self {
        Self {
            variable: variable.to_owned(),
            problem: problem.to_string(),
        }
    }
}

/// Where users and each lesson's records are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreConfig {
    /// In the server's memory: nothing to install, gone at exit.
    Memory,
    /// In a MongoDB database.
    Mongo { uri: String, database: String },
}

#[derive(Clone)]
pub struct Config {
    /// The address to listen on: loopback unless `HOST` says otherwise.
    pub host: IpAddr,
    pub port: u16,
    pub jwt_secret: String,
    /// True when `jwt_secret` is the public development secret.
    pub jwt_secret_is_default: bool,
    pub jwt_ttl: Duration,
    pub store: StoreConfig,
    pub admin_username: String,
    pub admin_password: Option<String>,
    pub bcrypt_cost: u32,
    /// Every variable as given, for the lesson knobs read by [`Config::knob`].
    vars: HashMap<String, String>,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(std::env::vars())
    }

    /// Reads configuration from `(name, value)` pairs; unknown names are kept
    /// for [`Config::knob`]. Empty values count as unset.
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let vars: HashMap<String, String> = vars
            .into_iter()
            .filter(|(_, value)| !value.trim().is_empty())
            .collect();
        let get = |name: &str| vars.get(name).map(String::as_str);

        let (jwt_secret, jwt_secret_is_default) = match get("JWT_SECRET") {
            Some(secret) if secret.len() < MIN_SECRET_BYTES => {
                return Err(ConfigError::new(
                    "JWT_SECRET",
                    format!(
                        "must be at least {MIN_SECRET_BYTES} bytes long (HS256 needs a 256-bit key)"
                    ),
                ));
            }
            Some(secret) => (secret.to_owned(), false),
            None => (DEVELOPMENT_SECRET.to_owned(), true),
        };

        // Off loopback, anyone who can reach the server can also read the
        // development secret in this repository and forge any user's token.
        let host = parse(&vars, "HOST", IpAddr::V4(Ipv4Addr::LOCALHOST))?;
        if jwt_secret_is_default && !host.to_canonical().is_loopback() {
            return Err(ConfigError::new(
                "HOST",
                format!(
                    "{host} is not a loopback address: set JWT_SECRET (the development \
                     secret is public, so anyone could forge tokens for this server)"
                ),
            ));
        }

        let store = match get("MONGODB_URI") {
            Some(uri) => StoreConfig::Mongo {
                uri: uri.to_owned(),
                database: get("MONGODB_DB").unwrap_or("workbook").to_owned(),
            },
            None => StoreConfig::Memory,
        };

        let bcrypt_cost = parse(&vars, "BCRYPT_COST", 10u32)?;
        if !(4..=31).contains(&bcrypt_cost) {
            return Err(ConfigError::new("BCRYPT_COST", "must be between 4 and 31"));
        }
        let jwt_ttl_secs = parse(&vars, "JWT_TTL_SECS", 3600u64)?;
        if jwt_ttl_secs == 0 {
            return Err(ConfigError::new("JWT_TTL_SECS", "must be at least 1"));
        }

        Ok(Self {
            host,
            port: parse(&vars, "PORT", 3000u16)?,
            jwt_secret,
            jwt_secret_is_default,
            jwt_ttl: Duration::from_secs(jwt_ttl_secs),
            store,
            admin_username: get("ADMIN_USERNAME").unwrap_or("admin").to_owned(),
            admin_password: get("ADMIN_PASSWORD").map(str::to_owned),
            bcrypt_cost,
            vars,
        })
    }

    /// A lesson's own setting, such as `MAX_CONNECTIONS_PER_IP`, or `default`
    /// when it is unset.
    pub fn knob<T>(&self, name: &str, default: T) -> Result<T, ConfigError>
    where
        T: FromStr,
        T::Err: Display,
    {
        parse(&self.vars, name, default)
    }
}

fn parse<T>(vars: &HashMap<String, String>, name: &str, default: T) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: Display,
{
    match vars.get(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|e| ConfigError::new(name, format!("cannot use {raw:?}: {e}"))),
    }
}

// Never print the secrets, even in a debug dump of the configuration.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("jwt_secret", &"<redacted>")
            .field("jwt_ttl", &self.jwt_ttl)
            .field("store", &self.store)
            .field("admin_username", &self.admin_username)
            .field(
                "admin_password",
                &self.admin_password.as_ref().map(|_| "<redacted>"),
            )
            .field("bcrypt_cost", &self.bcrypt_cost)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_vars(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn defaults_follow_the_contract() {
        let config = config(&[]).unwrap();
        assert_eq!(config.host, IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(config.port, 3000);
        assert_eq!(config.jwt_ttl, Duration::from_secs(3600));
        assert_eq!(config.bcrypt_cost, 10);
        assert_eq!(config.store, StoreConfig::Memory);
        assert_eq!(config.admin_username, "admin");
        assert!(config.jwt_secret_is_default);
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases = [
            ("BCRYPT_COST", "abc"),
            ("BCRYPT_COST", "3"),
            ("JWT_TTL_SECS", "-1"),
            ("JWT_TTL_SECS", "0"),
            ("PORT", "70000"),
            ("HOST", "localhost"),
            ("JWT_SECRET", "short"),
        ];
        for (name, value) in cases {
            let error = config(&[(name, value)]).unwrap_err();
            assert_eq!(error.variable, name, "{name}={value}");
            assert!(
                error.to_string().starts_with(&format!("{name}: ")),
                "{error}"
            );
        }
    }

    #[test]
    fn the_development_secret_is_refused_off_loopback() {
        for host in ["0.0.0.0", "192.168.1.20", "::"] {
            let error = config(&[("HOST", host)]).unwrap_err();
            assert_eq!(error.variable, "HOST", "{error}");
            assert!(error.to_string().contains("set JWT_SECRET"), "{error}");
            let secret = "a-secret-for-the-classroom-demo-of-32-bytes";
            assert!(config(&[("HOST", host), ("JWT_SECRET", secret)]).is_ok());
        }
        for host in ["127.0.0.1", "127.0.0.2", "::1"] {
            assert!(config(&[("HOST", host)]).is_ok(), "HOST={host}");
        }
    }

    #[test]
    fn mongodb_uri_selects_mongodb() {
        let config = config(&[("MONGODB_URI", "mongodb://db"), ("MONGODB_DB", "class")]).unwrap();
        assert_eq!(
            config.store,
            StoreConfig::Mongo {
                uri: "mongodb://db".into(),
                database: "class".into()
            }
        );
    }

    #[test]
    fn knobs_parse_with_defaults() {
        let config = config(&[("GRACE_PERIOD_MS", "250"), ("BAD", "x")]).unwrap();
        assert_eq!(config.knob("GRACE_PERIOD_MS", 5000u64).unwrap(), 250);
        assert_eq!(config.knob("MISSING", 7u32).unwrap(), 7);
        assert_eq!(config.knob("BAD", 1u32).unwrap_err().variable, "BAD");
    }

    #[test]
    fn debug_output_hides_secrets() {
        let config = config(&[("ADMIN_PASSWORD", "hunter2-hunter2")]).unwrap();
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains(DEVELOPMENT_SECRET),
            "{shown}"
        );
    }
}
