//! Middleware 3, authorization: who the user is has been settled; this
//! decides whether that user may come in.

use socketioxide::extract::{Extension, State};
use workbook::users::PublicUser;

use crate::bans::Bans;
use crate::refusal::Refusal;

// EXERCISE: authorize
/// Middleware 3: refuses a banned user with [`Refusal::Suspended`].
///
/// `Extension(user)` is the user `authenticate` attached, and
/// `bans.is_banned(&user.id)` says whether that user is banned. If the ban
/// store fails, log the error with the user's id (`tracing::error!`) and
/// refuse as authentication does when its store fails,
/// `Refusal::Auth(AuthError::Unavailable)` (`workbook::handshake::AuthError`):
/// a guard that cannot check does not let anyone in.
#[allow(unused_variables)] // Remove this line once the body uses its arguments.
pub async fn authorize(
    Extension(user): Extension<PublicUser>,
    State(bans): State<Bans>,
) -> Result<(), Refusal> {
    todo!("refuse a banned user (chapter 04, \"Authorization\")")
}
// EXERCISE_END: authorize
