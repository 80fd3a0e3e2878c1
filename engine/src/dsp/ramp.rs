//! A parameter that moves to its target in a straight line over a fixed time, so gain changes
//! and track switches never click.

/// A linearly ramped value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ramp {
    current: f32,
    target: f32,
    /// The largest change per frame.
    step: f32,
}

impl Ramp {
    /// A ramp resting at `value` that takes `seconds` to cross a change of 1.
    pub(crate) fn new(value: f32, seconds: f64, sample_rate: u32) -> Self {
        let frames = (seconds * f64::from(sample_rate)).max(1.0);
        Ramp {
            current: value,
            target: value,
            step: (1.0 / frames) as f32,
        }
    }

    /// Starts moving towards `target`.
    pub(crate) fn set(&mut self, target: f32) {
        self.target = target;
    }

    /// Jumps to `value` at once (before anything plays).
    pub(crate) fn jump(&mut self, value: f32) {
        self.current = value;
        self.target = value;
    }

    /// The value it is moving to.
    pub(crate) fn target(&self) -> f32 {
        self.target
    }

    /// Whether it rests at its target.
    pub(crate) fn is_settled(&self) -> bool {
        self.current == self.target
    }

    /// The value for the next frame.
    #[inline]
    pub(crate) fn next(&mut self) -> f32 {
        if self.current != self.target {
            self.current = if self.current < self.target {
                (self.current + self.step).min(self.target)
            } else {
                (self.current - self.step).max(self.target)
            };
        }
        self.current
    }

    /// Multiplies `samples` (interleaved, `channels` per frame) by the ramp, frame by frame.
    pub(crate) fn apply(&mut self, samples: &mut [f32], channels: usize) {
        if self.is_settled() {
            let g = self.current;
            if g != 1.0 {
                samples.iter_mut().for_each(|s| *s *= g);
            }
            return;
        }
        for frame in samples.chunks_exact_mut(channels) {
            let g = self.next();
            frame.iter_mut().for_each(|s| *s *= g);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reaches_the_target_in_the_ramp_time_and_stays() {
        let mut ramp = Ramp::new(0.0, 0.01, 1000); // 10 frames per unit
        ramp.set(1.0);
        let values: Vec<f32> = (0..12).map(|_| ramp.next()).collect();
        assert!((values[0] - 0.1).abs() < 1e-6);
        assert!((values[9] - 1.0).abs() < 1e-6);
        assert_eq!(values[11], 1.0);
        assert!(ramp.is_settled());
        ramp.set(0.5);
        assert!((ramp.next() - 0.9).abs() < 1e-6, "ramps down too");
    }

    #[test]
    fn apply_matches_frame_by_frame() {
        let mut a = Ramp::new(1.0, 0.004, 1000);
        let mut b = a;
        a.set(0.0);
        b.set(0.0);
        let mut block = vec![1.0f32; 12];
        a.apply(&mut block, 2);
        let expected: Vec<f32> = (0..6).flat_map(|_| [b.next(); 2]).collect();
        assert_eq!(block, expected);
    }
}
