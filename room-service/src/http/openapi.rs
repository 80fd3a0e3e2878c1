//! The OpenAPI description of the room API, generated from the handlers and types (served at
//! `/api/openapi.json`).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::http::{api, songs};

/// The description.
#[derive(OpenApi)]
#[openapi(
    info(title = "ktv", description = "Karaoke rooms: library, members, seats, queue, live controls."),
    paths(
        songs::list, songs::details, songs::lyrics, songs::media, api::leaderboard,
        api::create_room, api::join_room, api::get_room, api::remove_member,
        api::take_seat, api::leave_seat, api::mute_seat, api::free_seat,
        api::request_song, api::remove_request, api::pin_request, api::move_request,
        api::skip, api::control, api::heartbeat, api::finished, api::history,
        crate::http::sync_config, crate::http::sync_leader, crate::http::service_info, crate::http::page::qr_svg,
    ),
    modifiers(&MemberAuth)
)]
pub struct ApiDoc;

/// `Authorization: Bearer <member>.<secret>`.
struct MemberAuth;

impl Modify for MemberAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "member",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("<member>.<secret>")
                    .build(),
            ),
        );
    }
}
