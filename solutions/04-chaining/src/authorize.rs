//! Middleware 3, authorization: who the user is has been settled; this
//! decides whether that user may come in.

use socketioxide::extract::{Extension, State};
use workbook::users::PublicUser;

use crate::bans::Bans;
use crate::refusal::Refusal;

// EXERCISE: authorize
// ANCHOR: authorize
/// Refuses a banned user with [`Refusal::Suspended`].
///
/// `Extension<PublicUser>` is the user `authenticate` attached. It is only there
/// if authentication ran first: put this middleware before it in the chain
/// and socketioxide refuses every handshake with "Extension of type ... not
/// found". If the ban store fails, the door stays shut: a guard that lets
/// everyone in when it cannot check is no guard.
pub async fn authorize(
    Extension(user): Extension<PublicUser>,
    State(bans): State<Bans>,
) -> Result<(), Refusal> {
    use workbook::handshake::AuthError;

    match bans.is_banned(&user.id).await {
        Ok(false) => Ok(()),
        Ok(true) => Err(Refusal::Suspended),
        Err(e) => {
            tracing::error!(user_id = %user.id, error = %e, "cannot read the bans");
            Err(Refusal::Auth(AuthError::Unavailable))
        }
    }
}
// ANCHOR_END: authorize
// EXERCISE_END: authorize
