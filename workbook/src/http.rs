//! The HTTP side's error shape and extractors.
//!
//! Every error a client sees is `{"message": "..."}` with a fitting status.
//! axum's own extractors answer a bad body with 415 or 422 and a plain-text
//! explanation; [`JsonBody`] answers 400 in our shape, and [`Bearer`] turns a
//! missing or bad `Authorization` header into a 401.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::jwt::{Claims, Jwt, TokenError};
use crate::payload::Object;

/// An error response: a status and a message for the client.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// Logs the cause and tells the client only that something went wrong:
    /// database errors can reveal more than a client should see.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "request failed");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(serde_json::json!({ "message": self.message }));
        (self.status, body).into_response()
    }
}

/// A JSON object as the request body; anything else (not JSON, an array,
/// a missing field) is a 400 that says what is wrong. Read through
/// [`Object`], so an array never fills a struct field by field.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
        serde_json::from_slice(&bytes)
            .map(|Object(body)| JsonBody(body))
            .map_err(|e| {
                // serde's message ends in "at line 1 column 9": true but no help.
                let full = e.to_string();
                let reason = full.split(" at line ").next().unwrap_or(&full);
                match e.classify() {
                    serde_json::error::Category::Data => {
                        ApiError::bad_request(format!("Invalid request body: {reason}"))
                    }
                    _ => ApiError::bad_request(format!("Request body must be JSON: {reason}")),
                }
            })
    }
}

/// The verified claims of an `Authorization: Bearer <token>` header.
/// Identity comes from the token's signature, never from the request body.
pub struct Bearer(pub Claims);

impl<S: Send + Sync> FromRequestParts<S> for Bearer
where
    Jwt: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or_else(|| ApiError::unauthorized("Authentication required"))?;
        match Jwt::from_ref(state).verify(token) {
            Ok(claims) => Ok(Bearer(claims)),
            Err(TokenError::Expired) => Err(ApiError::unauthorized("Token expired")),
            Err(TokenError::Invalid) => Err(ApiError::unauthorized("Invalid token")),
        }
    }
}
