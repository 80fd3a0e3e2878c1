// The microphone's worklet: gathers the first input channel into 20 ms blocks (960 samples at
// 48 kHz) and posts each with the audio clock's frame number of its first sample, so the page
// knows exactly when every sample of the voice came in.
const BLOCK = 960;

class KtvMic extends AudioWorkletProcessor {
  constructor() {
    super();
    this.block = new Float32Array(BLOCK);
    this.filled = 0;
    this.first = 0;
    this.running = true;
    this.port.onmessage = (event) => {
      if (event.data === 'stop') this.running = false;
    };
  }

  process(inputs) {
    const channel = inputs[0]?.[0];
    if (!channel) return this.running;
    for (let i = 0; i < channel.length; i++) {
      if (this.filled === 0) this.first = currentFrame + i;
      this.block[this.filled++] = channel[i];
      if (this.filled === BLOCK) {
        this.port.postMessage({ frame: this.first, samples: this.block }, [this.block.buffer]);
        this.block = new Float32Array(BLOCK);
        this.filled = 0;
      }
    }
    return this.running;
  }
}

registerProcessor('ktv-mic', KtvMic);
