//! An impairment proxy of our own (the kernel here has no netem) with the simulator's
//! [`Path`] model, for loopback tests over real sockets.
//!
//! UDP: each datagram, each way, is dropped, duplicated, delayed (latency ± jitter) and
//! sometimes held back further, independently, so datagrams reorder as on a real network.
//! TCP (under WebSocket): bytes cannot be lost or reordered, so a "lost" segment is held back
//! 200 ms (a retransmission) and everything behind it waits: in order, late.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;

use sync::{TimeDelta, wire};

use crate::path::Path;

/// How long a "lost" TCP segment is held back (a retransmission timeout on loopback).
pub const TCP_RETRANSMIT: TimeDelta = TimeDelta::from_millis(200);

fn duration(delay: TimeDelta) -> Duration {
    Duration::from_micros(delay.as_micros().max(0) as u64)
}

/// Forwards datagrams between clients of `listen` and `upstream`, impaired by `up` (client
/// to upstream) and `down`. Runs until the task is dropped.
pub async fn udp(listen: UdpSocket, upstream: SocketAddr, up: Path, down: Path, seed: u64) {
    let listen = Arc::new(listen);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut clients: HashMap<SocketAddr, Arc<UdpSocket>> = HashMap::new();
    let mut buffer = vec![0u8; wire::MAX_MESSAGE + 1];
    loop {
        let Ok((n, client)) = listen.recv_from(&mut buffer).await else {
            continue;
        };
        let socket = match clients.get(&client) {
            Some(socket) => Arc::clone(socket),
            None => {
                // One upstream socket per client, so the room tells clients apart.
                let Ok(socket) = UdpSocket::bind("127.0.0.1:0").await else {
                    continue;
                };
                if socket.connect(upstream).await.is_err() {
                    continue;
                }
                let socket = Arc::new(socket);
                clients.insert(client, Arc::clone(&socket));
                let (listen, back) = (Arc::clone(&listen), Arc::clone(&socket));
                let mut rng = ChaCha8Rng::seed_from_u64(rng.random());
                tokio::spawn(async move {
                    let mut buffer = vec![0u8; wire::MAX_MESSAGE + 1];
                    loop {
                        let Ok(n) = back.recv(&mut buffer).await else {
                            continue;
                        };
                        for delay in down.deliveries(&mut rng) {
                            let (listen, bytes) = (Arc::clone(&listen), buffer[..n].to_vec());
                            tokio::spawn(async move {
                                tokio::time::sleep(duration(delay)).await;
                                let _ = listen.send_to(&bytes, client).await;
                            });
                        }
                    }
                });
                socket
            }
        };
        for delay in up.deliveries(&mut rng) {
            let (socket, bytes) = (Arc::clone(&socket), buffer[..n].to_vec());
            tokio::spawn(async move {
                tokio::time::sleep(duration(delay)).await;
                let _ = socket.send(&bytes).await;
            });
        }
    }
}

/// Forwards TCP connections accepted on `listener` to `upstream`, each direction delayed by
/// its path (latency ± jitter, in order) with `loss` of the segments held back
/// [`TCP_RETRANSMIT`]. Runs until the task is dropped.
pub async fn tcp(listener: TcpListener, upstream: SocketAddr, up: Path, down: Path, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        let Ok(server) = TcpStream::connect(upstream).await else {
            continue;
        };
        let _ = (client.set_nodelay(true), server.set_nodelay(true));
        let (client_read, client_write) = client.into_split();
        let (server_read, server_write) = server.into_split();
        tokio::spawn(pump(client_read, server_write, up, rng.random()));
        tokio::spawn(pump(server_read, client_write, down, rng.random()));
    }
}

/// Copies one direction, each chunk delivered at max(previous delivery, arrival + delay).
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    path: Path,
    seed: u64,
) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(tokio::time::Instant, Vec<u8>)>();
    let writer = tokio::spawn(async move {
        while let Some((at, bytes)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&bytes).await.is_err() {
                break;
            }
        }
    });
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut last = tokio::time::Instant::now();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let jitter = path.jitter.as_micros();
        let mut delay = path.latency.as_micros()
            + if jitter > 0 {
                rng.random_range(-jitter..=jitter)
            } else {
                0
            };
        if rng.random_bool(path.loss.clamp(0.0, 1.0)) {
            delay += TCP_RETRANSMIT.as_micros();
        }
        let at = (tokio::time::Instant::now() + duration(TimeDelta::from_micros(delay))).max(last);
        last = at;
        if tx.send((at, buffer[..n].to_vec())).is_err() {
            break;
        }
    }
    drop(tx);
    let _ = writer.await;
}
