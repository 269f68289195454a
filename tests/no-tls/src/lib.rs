//! `native-tls` without TLS, for the workbook's test client.
//!
//! The harness drives the servers it tests with `rust_socketio`, whose
//! crates (`rust_engineio`, `reqwest`, `tokio-tungstenite`) depend on
//! `native-tls` whether they use TLS or not. On Linux that crate links
//! OpenSSL, so building the tests would need OpenSSL's headers and
//! `pkg-config` on every learner's machine, for TLS that is never used:
//! the client speaks plain `http://` and `ws://` to servers on 127.0.0.1.
//! The workspace's `[patch.crates-io]` builds those crates against this one
//! instead.
//!
//! It has the part of `native-tls` 0.2's API they use, with the same
//! signatures. Configuring a connector works, since the client builds one
//! even for a plain URL; a TLS handshake fails with an [`Error`] that says
//! why. A stream that completed a handshake cannot exist: [`TlsStream`] and
//! [`MidHandshakeTlsStream`] hold a value of an empty type.

use std::convert::Infallible;
use std::marker::PhantomData;
use std::{error, fmt, io, result};

/// What a handshake fails with, and what to do instead.
const NO_TLS: &str = "TLS is not built into this workbook's test client: it speaks plain TCP \
                      to servers on loopback only, so use http:// or ws:// (see tests/no-tls)";

pub type Result<T> = result::Result<T, Error>;

/// Why no TLS connection was made.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl error::Error for Error {}

/// A client certificate and key: accepted, and never used.
#[derive(Clone)]
pub struct Identity(());

impl Identity {
    pub fn from_pkcs12(_der: &[u8], _password: &str) -> Result<Identity> {
        Ok(Identity(()))
    }

    pub fn from_pkcs8(_pem: &[u8], _key: &[u8]) -> Result<Identity> {
        Ok(Identity(()))
    }
}

/// A root certificate to trust: accepted, and never used.
#[derive(Clone)]
pub struct Certificate(());

impl Certificate {
    pub fn from_der(_der: &[u8]) -> Result<Certificate> {
        Ok(Certificate(()))
    }

    pub fn from_pem(_pem: &[u8]) -> Result<Certificate> {
        Ok(Certificate(()))
    }

    pub fn to_der(&self) -> Result<Vec<u8>> {
        Err(Error(NO_TLS.to_owned()))
    }
}

/// The protocol versions `reqwest` can ask for.
#[derive(Debug, Copy, Clone)]
#[non_exhaustive]
pub enum Protocol {
    Tlsv10,
    Tlsv11,
    Tlsv12,
}

/// Every setting is accepted and ignored: no handshake ever reads them.
pub struct TlsConnectorBuilder(());

impl TlsConnectorBuilder {
    pub fn identity(&mut self, _identity: Identity) -> &mut TlsConnectorBuilder {
        self
    }

    pub fn min_protocol_version(
        &mut self,
        _protocol: Option<Protocol>,
    ) -> &mut TlsConnectorBuilder {
        self
    }

    pub fn max_protocol_version(
        &mut self,
        _protocol: Option<Protocol>,
    ) -> &mut TlsConnectorBuilder {
        self
    }

    pub fn add_root_certificate(&mut self, _cert: Certificate) -> &mut TlsConnectorBuilder {
        self
    }

    pub fn disable_built_in_roots(&mut self, _disable: bool) -> &mut TlsConnectorBuilder {
        self
    }

    pub fn danger_accept_invalid_certs(&mut self, _accept_invalid_certs: bool) -> &mut Self {
        self
    }

    pub fn use_sni(&mut self, _use_sni: bool) -> &mut TlsConnectorBuilder {
        self
    }

    pub fn danger_accept_invalid_hostnames(
        &mut self,
        _accept_invalid_hostnames: bool,
    ) -> &mut Self {
        self
    }

    pub fn build(&self) -> Result<TlsConnector> {
        Ok(TlsConnector(()))
    }
}

/// Builds without fault; every handshake fails.
#[derive(Clone, Debug)]
pub struct TlsConnector(());

impl TlsConnector {
    pub fn new() -> Result<TlsConnector> {
        TlsConnector::builder().build()
    }

    pub fn builder() -> TlsConnectorBuilder {
        TlsConnectorBuilder(())
    }

    /// Fails, and drops `stream`, which closes it.
    pub fn connect<S>(
        &self,
        domain: &str,
        _stream: S,
    ) -> result::Result<TlsStream<S>, HandshakeError<S>>
    where
        S: io::Read + io::Write,
    {
        let error = Error(format!("{domain}: {NO_TLS}"));
        Err(HandshakeError::Failure(error))
    }
}

/// Only named by `tokio-native-tls`: nothing here makes one.
#[derive(Clone)]
pub struct TlsAcceptor(());

impl TlsAcceptor {
    /// Fails, and drops `stream`, which closes it.
    pub fn accept<S>(&self, _stream: S) -> result::Result<TlsStream<S>, HandshakeError<S>>
    where
        S: io::Read + io::Write,
    {
        Err(HandshakeError::Failure(Error(NO_TLS.to_owned())))
    }
}

/// A handshake's failure. `WouldBlock` cannot happen: it holds a
/// [`MidHandshakeTlsStream`].
#[derive(Debug)]
pub enum HandshakeError<S> {
    Failure(Error),
    WouldBlock(MidHandshakeTlsStream<S>),
}

/// A handshake waiting for I/O: cannot exist, as no handshake starts.
#[derive(Debug)]
pub struct MidHandshakeTlsStream<S>(Infallible, PhantomData<S>);

impl<S> MidHandshakeTlsStream<S> {
    pub fn get_mut(&mut self) -> &mut S {
        match self.0 {}
    }
}

impl<S: io::Read + io::Write> MidHandshakeTlsStream<S> {
    pub fn handshake(self) -> result::Result<TlsStream<S>, HandshakeError<S>> {
        match self.0 {}
    }
}

/// A connection over TLS: cannot exist, as no handshake succeeds.
#[derive(Debug)]
pub struct TlsStream<S>(Infallible, PhantomData<S>);

impl<S> TlsStream<S> {
    pub fn get_ref(&self) -> &S {
        match self.0 {}
    }

    pub fn get_mut(&mut self) -> &mut S {
        match self.0 {}
    }
}

impl<S: io::Read + io::Write> TlsStream<S> {
    pub fn peer_certificate(&self) -> Result<Option<Certificate>> {
        match self.0 {}
    }

    pub fn shutdown(&mut self) -> io::Result<()> {
        match self.0 {}
    }
}

impl<S: io::Read + io::Write> io::Read for TlsStream<S> {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        match self.0 {}
    }
}

impl<S: io::Read + io::Write> io::Write for TlsStream<S> {
    fn write(&mut self, _buf: &[u8]) -> io::Result<usize> {
        match self.0 {}
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.0 {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connector_builds_and_its_handshakes_say_why_they_fail() {
        let connector = TlsConnector::builder()
            .add_root_certificate(Certificate::from_pem(b"").unwrap())
            .danger_accept_invalid_certs(true)
            .build()
            .unwrap();
        let tried = connector.connect("example.com", io::Cursor::new(Vec::new()));
        assert!(matches!(
            &tried,
            Err(HandshakeError::Failure(error))
                if error.to_string().starts_with("example.com: TLS is not built into")
        ));
    }
}
