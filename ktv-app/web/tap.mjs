// A tap on the page's audio graph: records what the player sends to the speakers, with the
// instant each sample is heard on the page's clock. Tests measure the page's alignment from
// this (cross-correlated with the song), not from the player's own idea of its position.

export class AudioTap {
  constructor(player) {
    this.player = player;
  }

  /** Records `seconds` of the player's output: `{sampleRate, heardAt, samples}`, where
   *  `heardAt` is the epoch time (ms) the first sample is heard. */
  async record(seconds) {
    const context = this.player.context;
    const blocks = [];
    let stop;
    if (context.audioWorklet) {
      await context.audioWorklet.addModule('/web/tap-worklet.js');
      const node = new AudioWorkletNode(context, 'ktv-tap', { numberOfOutputs: 0 });
      node.port.onmessage = (event) => blocks.push(event.data);
      this.player.output.connect(node);
      node.port.postMessage('start');
      stop = () => {
        node.port.postMessage('stop');
        this.player.output.disconnect(node);
      };
    } else {
      // No worklets outside secure contexts: the older processor node, timed by playbackTime.
      const node = context.createScriptProcessor(1024, 2, 1);
      node.onaudioprocess = (event) => {
        const input = event.inputBuffer;
        const mono = new Float32Array(input.length);
        for (let c = 0; c < input.numberOfChannels; c++) {
          const data = input.getChannelData(c);
          for (let i = 0; i < mono.length; i++) mono[i] += data[i] / input.numberOfChannels;
        }
        blocks.push({ frame: Math.round(event.playbackTime * context.sampleRate), samples: mono });
      };
      this.player.output.connect(node);
      node.connect(context.destination);
      stop = () => {
        this.player.output.disconnect(node);
        node.disconnect();
      };
    }
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    stop();
    // The audio clock's frames against the page's clock, from several output timestamps.
    const offsets = [];
    for (let i = 0; i < 5; i++) {
      const stamp = context.getOutputTimestamp();
      offsets.push(stamp.performanceTime - stamp.contextTime * 1000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    offsets.sort((a, b) => a - b);
    const offset = offsets[2];
    if (!blocks.length) return { sampleRate: context.sampleRate, heardAt: null, samples: new Float32Array(0) };
    const first = blocks[0].frame;
    const last = blocks[blocks.length - 1];
    const samples = new Float32Array(last.frame + last.samples.length - first);
    for (const block of blocks) samples.set(block.samples, block.frame - first);
    const heardAt = performance.timeOrigin + offset + (first / context.sampleRate) * 1000;
    return { sampleRate: context.sampleRate, heardAt, samples };
  }
}
