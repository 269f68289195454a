//! jsonwebtoken's cryptography, for HMAC alone.
//!
//! jsonwebtoken leaves signing and verifying to a provider. Its ready-made
//! `rust_crypto` one brings every algorithm a token may name: RSA, ECDSA
//! and EdDSA, with their big-number and elliptic-curve crates. The course
//! signs and verifies with HS256 alone (the suites also forge HS384 and
//! HS512 tokens, to prove the pin), so this provider knows HMAC and
//! nothing else:
//! - a token that names another algorithm cannot verify, even where a
//!   `Validation` forgot to pin one;
//! - the `rsa` crate, whose timing side channel (RUSTSEC-2023-0071) has no
//!   fix, is not in the build;
//! - a cold build compiles about 30 crates fewer (18 s of CPU).

use hmac::{Hmac, Mac};
use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::{ErrorKind, Result};
use jsonwebtoken::signature::{self, Signer, Verifier};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, EncodingKey};
use sha2::{Sha256, Sha384, Sha512};

static HMAC_ONLY: CryptoProvider = CryptoProvider {
    signer_factory: signer,
    verifier_factory: verifier,
    // JWKs (public keys published as JSON) need the public-key algorithms:
    // nothing here uses them, and these panic if something ever does.
    key_utils: KeyUtils::new_unimplemented(),
};

/// Makes the HMAC-only provider jsonwebtoken's, for this whole process.
/// Call it before the first token is signed or verified; later calls do
/// nothing.
pub fn install() {
    // Err only when a provider is installed already: this one, by an
    // earlier call (nothing else in the workbook installs one).
    let _ = HMAC_ONLY.install_default();
}

fn signer(algorithm: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>> {
    if key.family() != AlgorithmFamily::Hmac {
        return Err(ErrorKind::InvalidKeyFormat.into());
    }
    Ok(Box::new(Key::new(*algorithm, key.as_bytes())?))
}

fn verifier(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>> {
    if key.family() != AlgorithmFamily::Hmac {
        return Err(ErrorKind::InvalidKeyFormat.into());
    }
    Ok(Box::new(Key::new(*algorithm, key.try_get_as_bytes()?)?))
}

/// An HMAC keyed with the secret, for one algorithm: it signs and verifies.
enum Key {
    Hs256(Hmac<Sha256>),
    Hs384(Hmac<Sha384>),
    Hs512(Hmac<Sha512>),
}

impl Key {
    fn new(algorithm: Algorithm, secret: &[u8]) -> Result<Self> {
        // HMAC takes a key of any length: the error cannot happen.
        let bad_key = |_| ErrorKind::InvalidKeyFormat;
        Ok(match algorithm {
            Algorithm::HS256 => Key::Hs256(Hmac::new_from_slice(secret).map_err(bad_key)?),
            Algorithm::HS384 => Key::Hs384(Hmac::new_from_slice(secret).map_err(bad_key)?),
            Algorithm::HS512 => Key::Hs512(Hmac::new_from_slice(secret).map_err(bad_key)?),
            _ => return Err(ErrorKind::InvalidAlgorithm.into()),
        })
    }

    fn algorithm(&self) -> Algorithm {
        match self {
            Key::Hs256(_) => Algorithm::HS256,
            Key::Hs384(_) => Algorithm::HS384,
            Key::Hs512(_) => Algorithm::HS512,
        }
    }
}

impl Signer<Vec<u8>> for Key {
    fn try_sign(&self, message: &[u8]) -> std::result::Result<Vec<u8>, signature::Error> {
        fn sign(mac: &(impl Mac + Clone), message: &[u8]) -> Vec<u8> {
            mac.clone()
                .chain_update(message)
                .finalize()
                .into_bytes()
                .to_vec()
        }
        Ok(match self {
            Key::Hs256(mac) => sign(mac, message),
            Key::Hs384(mac) => sign(mac, message),
            Key::Hs512(mac) => sign(mac, message),
        })
    }
}

impl Verifier<Vec<u8>> for Key {
    /// `verify_slice` compares in constant time: how long a wrong signature
    /// takes to refuse says nothing of where it first differs.
    fn verify(&self, message: &[u8], tag: &Vec<u8>) -> std::result::Result<(), signature::Error> {
        fn verify(mac: &(impl Mac + Clone), message: &[u8], tag: &[u8]) -> bool {
            mac.clone().chain_update(message).verify_slice(tag).is_ok()
        }
        let valid = match self {
            Key::Hs256(mac) => verify(mac, message, tag),
            Key::Hs384(mac) => verify(mac, message, tag),
            Key::Hs512(mac) => verify(mac, message, tag),
        };
        if valid {
            Ok(())
        } else {
            Err(signature::Error::new())
        }
    }
}

impl JwtSigner for Key {
    fn algorithm(&self) -> Algorithm {
        Key::algorithm(self)
    }
}

impl JwtVerifier for Key {
    fn algorithm(&self) -> Algorithm {
        Key::algorithm(self)
    }
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{Header, Validation};
    use serde_json::{Value, json};

    use super::*;

    const SECRET: &[u8] = b"a-test-secret-that-is-32-bytes-long!";

    /// RFC 4231's test case 2 (key "Jefe"): these are the standard HMACs.
    #[test]
    fn signatures_are_rfc_4231s() {
        let message = b"what do ya want for nothing?";
        let hex = |bytes: Vec<u8>| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let sign = |algorithm| {
            hex(Key::new(algorithm, b"Jefe")
                .unwrap()
                .try_sign(message)
                .unwrap())
        };
        assert_eq!(
            sign(Algorithm::HS256),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(sign(Algorithm::HS384).starts_with("af45d2e376484031617f78d2b58a6b1b"));
        assert!(sign(Algorithm::HS512).starts_with("164b7a7bfcf819e2e395fbe73b56e0a3"));
    }

    #[test]
    fn a_token_verifies_with_its_secret_only() {
        install();
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &json!({"sub": "ada", "exp": u64::MAX / 2}),
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap();
        let validation = Validation::new(Algorithm::HS256);
        let decode = |secret: &[u8]| {
            jsonwebtoken::decode::<Value>(&token, &DecodingKey::from_secret(secret), &validation)
        };
        assert_eq!(decode(SECRET).unwrap().claims["sub"], "ada");
        let wrong = decode(b"another-secret-that-is-32-bytes-long").unwrap_err();
        assert_eq!(*wrong.kind(), ErrorKind::InvalidSignature);
    }

    #[test]
    fn public_key_algorithms_are_refused() {
        for algorithm in [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA] {
            assert!(matches!(
                Key::new(algorithm, SECRET).map(|_| ()).unwrap_err().kind(),
                ErrorKind::InvalidAlgorithm
            ));
        }
        let rsa = EncodingKey::from_rsa_der(b"not a key, and never read");
        assert!(signer(&Algorithm::RS256, &rsa).is_err());
    }
}
