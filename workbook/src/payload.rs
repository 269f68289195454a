//! Payloads that must be JSON objects.
//!
//! serde fills a struct from a JSON array too, field by field in the order
//! the struct declares them: `["lobby", "hi"]` reads as
//! `SendMessage { room: "lobby", text: "hi" }`. No client of the contract
//! sends that, so accepting it only widens what an attacker can throw at a
//! handler, and makes a handler's behaviour depend on the order of its
//! fields. [`Object`] refuses anything but an object before the struct is
//! filled.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

// ANCHOR: object
/// `T`, read only from a JSON object. Use it wherever a payload is a
/// struct: `TryData<Object<JoinRoom>>` in an event handler, and
/// [`crate::http::JsonBody`] uses it for every request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object<T>(pub T);

impl<'de, T: DeserializeOwned> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Any JSON value first, so that text which is not JSON at all keeps
        // the parser's own error; then only an object goes on.
        let Value::Object(fields) = Value::deserialize(deserializer)? else {
            return Err(D::Error::custom("expected a JSON object"));
        };
        T::deserialize(Value::Object(fields))
            .map(Object)
            .map_err(D::Error::custom)
    }
}
// ANCHOR_END: object

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Message {
        room: String,
        text: String,
    }

    #[test]
    fn an_object_fills_the_struct() {
        let Object(message): Object<Message> =
            serde_json::from_value(json!({ "room": "lobby", "text": "hi" })).unwrap();
        assert_eq!(
            message,
            Message {
                room: "lobby".into(),
                text: "hi".into()
            }
        );
    }

    #[test]
    fn an_array_is_refused_although_serde_would_read_it() {
        let bare: Result<Message, _> = serde_json::from_value(json!(["lobby", "hi"]));
        assert!(bare.is_ok(), "serde reads a struct from an array");
        let object: Result<Object<Message>, _> = serde_json::from_value(json!(["lobby", "hi"]));
        assert_eq!(object.unwrap_err().to_string(), "expected a JSON object");
    }

    #[test]
    fn text_that_is_not_json_is_still_a_syntax_error() {
        let error = serde_json::from_str::<Object<Message>>("{not json").unwrap_err();
        assert!(error.is_syntax(), "{error}");
    }

    #[test]
    fn a_missing_field_is_still_named() {
        let error = serde_json::from_value::<Object<Message>>(json!({ "room": "lobby" }))
            .unwrap_err()
            .to_string();
        assert_eq!(error, "missing field `text`");
    }
}
