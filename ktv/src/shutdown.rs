//! The signal every long-running command stops on.

use std::future::Future;

use tokio::signal::unix::{SignalKind, signal};

/// Completes on Ctrl-C or SIGTERM. The handlers are installed when this is called (within
/// the runtime), not when the future is first polled: a SIGTERM that comes just after the
/// service printed its URL, before its shutdown future was first polled, would otherwise
/// kill the process with the default action instead of stopping it cleanly.
pub fn shutdown_signal() -> impl Future<Output = ()> {
    let interrupt = signal(SignalKind::interrupt());
    let terminate = signal(SignalKind::terminate());
    async move {
        let wait = |stream: std::io::Result<tokio::signal::unix::Signal>, name: &'static str| async move {
            match stream {
                Ok(mut stream) => {
                    stream.recv().await;
                }
                Err(err) => {
                    tracing::error!("cannot listen for {name}: {err}");
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::select! {
            () = wait(interrupt, "Ctrl-C") => tracing::info!("Ctrl-C received, shutting down"),
            () = wait(terminate, "SIGTERM") => tracing::info!("SIGTERM received, shutting down"),
        }
    }
}
