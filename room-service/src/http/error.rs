//! Every error the API returns has one JSON shape: `{"error": {"code": ..., "message": ...}}`
//! with a 4xx for the caller's mistakes and 500 only for the service's own faults.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::Error;

#[derive(Serialize)]
struct Body<'a> {
    error: Detail<'a>,
}

#[derive(Serialize)]
struct Detail<'a> {
    code: &'a str,
    message: String,
}

/// The error shape, for the OpenAPI description.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // described, not built: responses are built from `Body`
pub(crate) struct ErrorBody {
    error: ErrorDetail,
}

/// What went wrong.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct ErrorDetail {
    /// bad_request, unauthorized, forbidden, not_found, refused or internal.
    code: String,
    /// What and where.
    message: String,
}

impl Error {
    /// The HTTP status and the error's code.
    pub fn status(&self) -> (StatusCode, &'static str) {
        match self {
            Error::BadRequest(_) | Error::BadManifest { .. } | Error::Lyrics { .. } => {
                (StatusCode::BAD_REQUEST, "bad_request")
            }
            Error::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
            Error::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Error::Forbidden { .. } => (StatusCode::FORBIDDEN, "forbidden"),
            Error::Refused { .. } => (StatusCode::CONFLICT, "refused"),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, code) = self.status();
        if status.is_server_error() {
            tracing::error!("{self}");
        }
        let body = Body {
            error: Detail {
                code,
                message: self.to_string(),
            },
        };
        (status, Json(body)).into_response()
    }
}
