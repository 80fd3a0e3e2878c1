// A tap on the page's audio graph: records what the player sends to the speakers, as two
// stems (the music and the singer's voice), with the instant each sample is heard on the
// page's clock. Tests measure the page's alignment from this (cross-correlated with the song
// and the singer's voice), not from the player's own idea of its position.

export class AudioTap {
  constructor(player) {
    this.player = player;
    this.recording = null;
  }

  /** Records `seconds` of the player's output (see `stop`). */
  async record(seconds) {
    await this.start();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    return this.stop();
  }

  /** The page's clock less the audio clock (ms), from several output timestamps. */
  async clockOffset() {
    const context = this.player.context;
    const offsets = [];
    // A context that has not output anything yet stamps nothing (performanceTime 0).
    for (let i = 0; i < 50 && offsets.length < 5; i++) {
      const stamp = context.getOutputTimestamp();
      if (stamp.performanceTime) offsets.push(stamp.performanceTime - stamp.contextTime * 1000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    offsets.sort((a, b) => a - b);
    return offsets[Math.floor(offsets.length / 2)] ?? 0;
  }

  /** Starts recording. */
  async start() {
    const context = this.player.context;
    // The audio clock drifts against the page's (by 0.05% here): the offset is read at both
    // ends of a recording and interpolated between them.
    const startOffset = await this.clockOffset();
    const { output, voiceOutput } = this.player;
    const blocks = [];
    let stop;
    if (context.audioWorklet) {
      await context.audioWorklet.addModule('/web/tap-worklet.js');
      const node = new AudioWorkletNode(context, 'ktv-tap', { numberOfInputs: 2, numberOfOutputs: 0 });
      node.port.onmessage = (event) => blocks.push(event.data);
      output.connect(node, 0, 0);
      voiceOutput.connect(node, 0, 1);
      node.port.postMessage('start');
      stop = () => {
        node.port.postMessage('stop');
        output.disconnect(node);
        voiceOutput.disconnect(node);
      };
    } else {
      // No worklets outside secure contexts: the older processor node, timed by playbackTime.
      // Its merger makes each stem one channel (the merger's inputs mix down to mono). It runs
      // on the page's main thread: with small buffers, blocks go missing whenever that thread
      // is busy (5% of them at 1024 frames while the page decodes the voice), so the largest.
      const merger = context.createChannelMerger(2);
      const node = context.createScriptProcessor(16384, 2, 1);
      output.connect(merger, 0, 0);
      voiceOutput.connect(merger, 0, 1);
      merger.connect(node);
      node.onaudioprocess = (event) => {
        const input = event.inputBuffer;
        blocks.push({
          frame: Math.round(event.playbackTime * context.sampleRate),
          music: input.getChannelData(0).slice(),
          voice: input.getChannelData(1).slice(),
        });
      };
      node.connect(context.destination);
      stop = () => {
        output.disconnect(merger);
        voiceOutput.disconnect(merger);
        merger.disconnect();
        node.disconnect();
      };
    }
    this.recording = { blocks, stop, startOffset };
  }

  /**
   * Stops recording: `{sampleRate, heardAt, heardEnd, samples, voice}`, where `samples` is
   * the music, `voice` the singer's voice (mono each), and `heardAt` and `heardEnd` the epoch
   * times (ms) the first and the last sample are heard.
   */
  async stop() {
    const context = this.player.context;
    const { blocks, stop, startOffset } = this.recording;
    this.recording = null;
    stop();
    const offset = await this.clockOffset();
    const empty = new Float32Array(0);
    if (!blocks.length) return { sampleRate: context.sampleRate, heardAt: null, heardEnd: null, samples: empty, voice: empty };
    const first = blocks[0].frame;
    const last = blocks[blocks.length - 1];
    const length = last.frame + last.music.length - first;
    const samples = new Float32Array(length);
    const voice = new Float32Array(length);
    for (const block of blocks) {
      samples.set(block.music, block.frame - first);
      voice.set(block.voice, block.frame - first);
    }
    const heardAt = performance.timeOrigin + startOffset + (first / context.sampleRate) * 1000;
    const heardEnd = performance.timeOrigin + offset + ((first + length - 1) / context.sampleRate) * 1000;
    return { sampleRate: context.sampleRate, heardAt, heardEnd, samples, voice };
  }
}
