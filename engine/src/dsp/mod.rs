//! Small signal-processing parts the mixer is built from: parameter ramps and the output
//! limiter. Each allocates nothing after construction and is real-time safe.

mod limiter;
mod ramp;

pub(crate) use limiter::Limiter;
pub(crate) use ramp::Ramp;

/// Zero for values so small they would be denormal in a feedback path (denormal arithmetic
/// is up to a hundred times slower on x86).
#[inline]
pub(crate) fn flush_denormal(x: f32) -> f32 {
    if x.abs() < 1e-20 { 0.0 } else { x }
}
