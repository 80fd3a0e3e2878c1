//! What a member holds after creating or joining a room.

use serde::{Deserialize, Serialize};

use crate::queue::MemberId;

/// A member's credentials (after creating or joining).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Credentials {
    /// The room.
    pub room: String,
    /// Who may join: the token in the join link.
    pub join_token: String,
    /// The member.
    pub member: MemberId,
    /// Their secret (send as `Bearer <member>.<secret>`).
    pub secret: String,
}
