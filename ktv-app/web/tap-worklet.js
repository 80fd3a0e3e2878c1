// The audio tap's worklet: copies what flows through it, block by block, with the audio
// clock's frame number of each block, to the page while it records.
class KtvTap extends AudioWorkletProcessor {
  constructor() {
    super();
    this.recording = false;
    this.port.onmessage = (event) => {
      this.recording = event.data === 'start';
    };
  }

  process(inputs) {
    const channels = inputs[0];
    if (this.recording && channels.length > 0) {
      const mono = new Float32Array(channels[0].length);
      for (const channel of channels) {
        for (let i = 0; i < mono.length; i++) mono[i] += channel[i] / channels.length;
      }
      this.port.postMessage({ frame: currentFrame, samples: mono }, [mono.buffer]);
    }
    return true;
  }
}

registerProcessor('ktv-tap', KtvTap);
