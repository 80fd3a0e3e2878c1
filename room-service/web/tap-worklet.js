// The audio tap's worklet: copies what flows into its two inputs (the music, the singer's
// voice), block by block, each mixed down to mono, with the audio clock's frame number of
// each block, to the page while it records.
class KtvTap extends AudioWorkletProcessor {
  constructor() {
    super();
    this.recording = false;
    this.port.onmessage = (event) => {
      this.recording = event.data === 'start';
    };
  }

  process(inputs) {
    if (this.recording) {
      const [music, voice] = inputs.map((channels) => {
        const mono = new Float32Array(128);
        for (const channel of channels) {
          for (let i = 0; i < mono.length; i++) mono[i] += channel[i] / channels.length;
        }
        return mono;
      });
      this.port.postMessage({ frame: currentFrame, music, voice }, [music.buffer, voice.buffer]);
    }
    return true;
  }
}

registerProcessor('ktv-tap', KtvTap);
