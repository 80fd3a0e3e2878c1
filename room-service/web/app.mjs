// The room's web page: create or join a room, take a seat, find and request songs, manage the
// queue as the member's role allows, follow the singer (lyrics, pitch guide, score, the music
// itself), see results; and the TV view for the room's screen.
//
// Plain modules, no build step: the service embeds this folder and serves it as it is.

import { loadServiceInfo, moveForTheMicrophone, serviceHttpsUrl } from './origin.mjs';
import { ApiError, RoomSocket, call, forgetMember, joinLink, saveMember, savedMember } from './api.mjs';
import { LANGUAGES, language, setLanguage, t } from './i18n.mjs';
import { prepareLyrics } from './lyrics.mjs';
import { SyncDriver } from './follow.mjs';
import { WebAudioPlayer } from './player.mjs';
import { MIC_OFFSET_KEY, SingSession } from './sing.mjs';
import { Stage } from './stage.mjs';
import { AudioTap } from './tap.mjs';
import { VoiceReceiver } from './voice.mjs';

/** Creates an element: `h('button.primary', {onclick}, 'text', child…)`. */
function h(spec, props = {}, ...children) {
  const [tag, ...classes] = spec.split('.');
  const element = document.createElement(tag || 'div');
  if (classes.length) element.className = classes.join(' ');
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value == null || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key in element && key !== 'list') element[key] = value;
    else element.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

const app = document.getElementById('app');
const params = new URLSearchParams(location.search);
const OFFSET_KEY = 'ktv.lyrics-offset';
/** Set: this device plays the room's mix as one stream instead of its own copy of the song. */
const THIN_KEY = 'ktv.thin';

/** Shows a short message at the bottom of the screen. */
function toast(text, kind = 'info') {
  let shelf = document.querySelector('.toasts');
  if (!shelf) {
    shelf = h('div.toasts', { role: 'status' });
    document.body.append(shelf);
  }
  const element = h('div.toast', { dataset: { kind } }, text);
  shelf.append(element);
  // The newest few; older ones make way.
  while (shelf.children.length > 3) shelf.firstElementChild.remove();
  setTimeout(() => element.remove(), 3500);
}

/** A refusal or failure in the user's language, with the service's reason after it. */
function describe(error) {
  if (!(error instanceof ApiError)) return `${t('error')}: ${error}`;
  const kind = { 0: 'offline', 401: 'not_member', 403: 'not_allowed', 404: 'not_found', 409: 'conflict' }[error.status] ?? 'error';
  return `${t(kind)}: ${error.message}`;
}

/** Runs an action, showing the service's refusal if there is one; returns the error or null. */
async function attempt(action) {
  try {
    await action();
    return null;
  } catch (error) {
    toast(describe(error), 'error');
    return error;
  }
}

/** Copies `text`; the clipboard API exists only in secure contexts (not on http://LAN-IP). */
function copyText(text) {
  if (navigator.clipboard) {
    navigator.clipboard.writeText(text).then(() => toast(t('copied')), () => window.prompt(t('copy_link'), text));
  } else {
    window.prompt(t('copy_link'), text);
  }
}

function formatTime(seconds) {
  if (seconds == null) return '';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

// ----- Home: create or join ------------------------------------------------------------------

function home() {
  const name = h('input', { placeholder: t('room_name'), name: 'room-name', required: true, maxLength: 64 });
  const owner = h('input', { placeholder: t('your_name'), name: 'owner-name', required: true, maxLength: 32 });
  const password = h('input', { placeholder: t('password'), name: 'password', type: 'password' });
  const link = h('input', { placeholder: t('join_link'), name: 'join-link' });
  const create = async (event) => {
    event.preventDefault();
    await attempt(async () => {
      const body = { name: name.value.trim(), owner_name: owner.value.trim() };
      if (password.value) body.password = password.value;
      const made = await call('POST', '/rooms', { body });
      saveMember(made.room, { member: made.member, secret: made.secret, token: made.join_token, name: body.owner_name });
      location.href = joinLink(made.room, made.join_token, null, serviceHttpsUrl());
    });
  };
  const join = (event) => {
    event.preventDefault();
    try {
      const url = new URL(link.value.trim(), location.href);
      if (url.searchParams.get('room')) location.href = url.href;
      else toast(t('error'), 'error');
    } catch {
      toast(t('error'), 'error');
    }
  };
  app.replaceChildren(
    h('header.top', {}, h('h1.brand', {}, 'ktv'), languagePicker()),
    h('main.home', {},
      h('p.tagline', {}, t('tagline')),
      h('form.card', { onsubmit: create, dataset: { form: 'create' } },
        h('h2', {}, t('create_room')), name, owner, password, h('button.primary', { type: 'submit' }, t('create'))),
      h('form.card', { onsubmit: join, dataset: { form: 'join' } },
        h('h2', {}, t('join_room')), link, h('button', { type: 'submit' }, t('join'))),
      libraryPreview()),
  );
}

/** The songs the service has, before anyone is in a room. */
function libraryPreview() {
  const list = h('ul.song-list.preview');
  call('GET', '/songs').then((songs) => {
    list.replaceChildren(...songs.map((song) => h('li', {}, h('b', {}, song.title), ' ', h('span.muted', {}, song.artist ?? ''))));
  }, () => {});
  return h('section.card', {}, h('h2', {}, t('songs')), list);
}

function languagePicker() {
  const select = h('select.language', { 'aria-label': t('language'), onchange: () => { setLanguage(select.value); location.reload(); } },
    ...LANGUAGES.map((code) => h('option', { value: code, selected: code === language() }, code === 'zh' ? '中文' : 'English')));
  return select;
}

// ----- Joining by link ------------------------------------------------------------------------

function joinForm(room, token, tv) {
  const name = h('input', { placeholder: t('your_name'), name: 'member-name', required: true, maxLength: 32 });
  const password = h('input', { placeholder: t('password'), name: 'password', type: 'password' });
  const join = async (event) => {
    event?.preventDefault();
    await attempt(async () => {
      const body = { token, name: name.value.trim() };
      if (password.value) body.password = password.value;
      const joined = await call('POST', `/rooms/${encodeURIComponent(room)}/members`, { body });
      saveMember(room, { member: joined.member, secret: joined.secret, token, name: body.name });
      enterRoom(room, tv);
    });
  };
  if (tv) {
    // The room's screen joins as a listener named for what it is.
    name.value = 'TV';
    join();
    return;
  }
  app.replaceChildren(
    h('header.top', {}, h('h1.brand', {}, 'ktv'), languagePicker()),
    h('main.home', {},
      h('form.card', { onsubmit: join, dataset: { form: 'join-room' } },
        h('h2', {}, t('joining', { room })), name, password, h('button.primary', { type: 'submit' }, t('join')))),
  );
}

// ----- The room -------------------------------------------------------------------------------

class RoomPage {
  constructor(roomId, member, tv) {
    this.roomId = roomId;
    this.member = member;
    this.tv = tv;
    this.view = null;
    this.tab = 'now';
    this.songs = [];
    this.songsById = new Map();
    this.history = [];
    this.lyricsFor = null;
    this.offset = Number(localStorage.getItem(OFFSET_KEY) ?? 0) || 0;
    this.thin = localStorage.getItem(THIN_KEY) === '1';
    this.player = null;
    this.build();
    this.loadSongs('');
    call('GET', '/sync/config').then((config) => this.startSync(config), (error) => toast(String(error), 'error'));
    call('GET', '/sync/leader').then((config) => {
      this.leaderConfig = config;
      if (this.view) this.updateSing();
    }, () => {});
    /** This member singing from the page (`sing.mjs`), while their song is on stage. */
    this.sing = null;
    this.socket = new RoomSocket(roomId, member, this.thin ? 'mix' : 'voice', {
      onRoom: (view) => this.update(view),
      onSync: (message) => {
        this.driver?.handle(message);
        this.sing?.driver?.handle(message);
      },
      onControl: (control) => this.sing?.control(control),
      onBinary: (bytes) => this.voice?.receive(bytes),
      onScore: (event) => this.stage.scoreEvent(event),
      onOpen: () => this.setOnline(true),
      onClose: () => {
        this.setOnline(false);
        // Gone for good (removed from the room, the room closed) or only a dropped line?
        call('GET', `/rooms/${encodeURIComponent(roomId)}`, { member }).catch((error) => {
          if (error.status === 401 || error.status === 404) {
            toast(describe(error), 'error');
            this.leave();
          }
        });
      },
    });
    const frame = () => {
      this.draw();
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    // For tests and the curious: the page's state and actions.
    window.ktv = this;
  }

  get me() {
    return this.member.member;
  }

  get role() {
    return this.view?.members.find((m) => m.id === this.me)?.role ?? 'audience';
  }

  get isOwner() {
    return this.view?.owner === this.me;
  }

  get onStage() {
    return this.view?.performance?.request.singer.member === this.me;
  }

  startSync(config) {
    try {
      this.player = new WebAudioPlayer({ thin: this.thin });
      this.player.onchange = () => this.renderListen();
    } catch (error) {
      // No Web Audio: the lyrics still follow.
      console.warn('no Web Audio', error);
    }
    this.driver = new SyncDriver(config, (message) => this.socket.sendSync(message), this.player);
    this.driver.onsong = (song) => this.songChanged(song);
    this.voice = new VoiceReceiver(this.driver, this.player);
    this.tap = this.player ? new AudioTap(this.player) : null;
    this.renderListen();
  }

  async songChanged(song) {
    const id = song?.song_id ?? null;
    if (id === this.lyricsFor) return;
    this.lyricsFor = id;
    this.stage.setSong(null);
    if (this.video) {
      if (id) this.video.src = `/api/songs/${encodeURIComponent(id)}/media/video`;
      else this.video.removeAttribute('src');
    }
    if (!id) return;
    try {
      const model = await call('GET', `/songs/${encodeURIComponent(id)}/lyrics`);
      if (this.lyricsFor === id) this.stage.setSong(prepareLyrics(model));
    } catch (error) {
      toast(String(error.message ?? error), 'error');
    }
  }

  /** The position the lyrics show now: the singer's, moved by this device's offset (when
   *  this page sings, what it plays: the offset is the listeners'). */
  displayPosition() {
    if (this.sing?.driver) return this.sing.position();
    const position = this.driver?.position();
    return position == null ? null : position + this.offset * 1000;
  }

  draw() {
    const position = this.displayPosition();
    this.stage.draw(position);
    if (this.video && this.lyricsFor) this.steerVideo(position);
    if (this.sing) {
      this.stage.setMessage(this.sing.message());
      return;
    }
    const waiting = this.view?.performance && !this.driver?.song;
    this.stage.setMessage(!this.view?.performance ? t('nothing_playing') : waiting ? t('waiting_singer') : '');
  }

  /** Keeps the music video on the singer's position: small errors by rate, large by seeking. */
  steerVideo(position) {
    const video = this.video;
    if (position == null || video.readyState < 1) return;
    const target = (position - this.offset * 1000) / 1e6;
    // A video shorter than the song holds its last frame, as the native renderer does.
    const end = video.duration - 0.05;
    if (target >= end) {
      if (!video.paused) video.pause();
      if (Math.abs(video.currentTime - end) > 0.1) video.currentTime = end;
      return;
    }
    if (!this.driver.playing()) {
      if (!video.paused) video.pause();
      if (Math.abs(video.currentTime - target) > 0.1) video.currentTime = target;
      return;
    }
    if (video.paused) video.play().catch(() => {});
    const error = video.currentTime - target;
    if (Math.abs(error) > 0.25) {
      video.currentTime = target;
      video.playbackRate = 1;
    } else {
      video.playbackRate = Math.min(1.05, Math.max(0.95, 1 - error * 0.5));
    }
  }

  setOnline(online) {
    document.body.classList.toggle('offline', !online);
  }

  leave() {
    this.socket.close();
    forgetMember(this.roomId);
    location.href = '/';
  }

  // ----- layout -----

  build() {
    this.stageRoot = h('section.now-stage');
    this.stage = new Stage(this.stageRoot);
    this.offlineBar = h('div.offline-bar', {}, t('offline'));
    if (this.tv) {
      this.video = h('video.mv', { muted: true, playsInline: true, preload: 'auto' });
      this.video.muted = true;
      this.upNext = h('div.tv-next');
      this.qr = h('div.tv-qr');
      this.listenBox = h('div.listen-box');
      this.title = h('div.tv-title');
      this.idle = h('div.tv-idle', { dataset: { idle: '' } });
      document.body.classList.add('tv');
      app.replaceChildren(this.video, this.title, this.stageRoot, this.upNext, this.qr, this.idle, this.listenBox, this.offlineBar);
      return;
    }
    this.header = h('header.top');
    this.tabs = h('nav.tabs');
    this.panels = {
      now: h('section.panel', { dataset: { panel: 'now' } }),
      songs: h('section.panel', { dataset: { panel: 'songs' } }),
      queue: h('section.panel', { dataset: { panel: 'queue' } }),
      seats: h('section.panel', { dataset: { panel: 'seats' } }),
      results: h('section.panel', { dataset: { panel: 'results' } }),
      settings: h('section.panel', { dataset: { panel: 'settings' } }),
    };
    this.nowInfo = h('div.now-info');
    this.nowControls = h('div.actions.now-controls');
    this.listenBox = h('div.listen-box');
    this.lastResult = h('div.last-result');
    this.singBox = h('div.sing', { dataset: { sing: '' }, hidden: true });
    this.idle = h('div.idle', { dataset: { idle: '' } });
    this.invite = h('div.invite', { dataset: { invite: '' } });
    this.panels.now.append(this.idle, this.nowInfo, this.singBox, this.stageRoot, this.listenBox, this.nowControls, this.lastResult, this.invite);
    this.search = h('input.search', { type: 'search', placeholder: t('search'), name: 'search', oninput: () => this.loadSongs(this.search.value) });
    this.songList = h('ul.song-list', { dataset: { list: 'songs' } });
    this.songDetail = h('div.song-detail');
    this.panels.songs.append(this.search, this.songList, this.songDetail);
    app.replaceChildren(this.header, this.tabs, ...Object.values(this.panels), this.offlineBar);
    this.showTab('now');
  }

  showTab(tab) {
    this.tab = tab;
    for (const [name, panel] of Object.entries(this.panels)) panel.hidden = name !== tab;
    this.renderTabs();
    if (tab === 'results') this.loadHistory();
  }

  renderTabs() {
    if (this.tv) return;
    const count = this.view ? this.view.queue.waiting.length + (this.view.queue.playing ? 1 : 0) : 0;
    const tabs = [
      ['now', t('now_playing')],
      ['songs', t('songs')],
      ['queue', count ? `${t('queue')} (${count})` : t('queue')],
      ['seats', t('seats')],
      ['results', t('results')],
      ['settings', '⚙'],
    ];
    this.tabs.replaceChildren(...tabs.map(([name, label]) =>
      h('button.tab', { onclick: () => this.showTab(name), dataset: { tab: name }, 'aria-selected': String(this.tab === name), title: name === 'settings' ? t('settings') : null }, label)));
  }

  /** The room changed (or arrived after a connect). */
  update(view) {
    const before = this.view;
    this.view = view;
    const ended = before?.performance && before.performance.request.id !== view.performance?.request.id;
    if (ended) this.loadHistory(before.performance.started_at);
    else if (!before) this.loadHistory();
    if (this.tv) {
      this.renderTv();
      return;
    }
    this.renderHeader();
    this.renderTabs();
    this.updateSing();
    this.renderNow();
    this.renderQueue();
    this.renderSeats();
    this.renderSettings();
    this.renderSongs();
  }

  /** Sings when the song on stage is ours (the page leads it), stops when it leaves. */
  async updateSing() {
    const performance = this.view?.performance;
    const mine = this.onStage ? performance.request.id : null;
    if (this.sing && this.sing.request.id !== mine) {
      this.sing.close();
      // Kept for a look afterwards (what was sent, for the curious and the tests).
      this.sung = this.sing;
      this.sing = null;
      // The follower steers the player again, for the next singer.
      if (this.driver) this.driver.player = this.player;
      this.songChanged(this.driver?.song ?? null);
    }
    if (mine === null || this.sing || this.singing === mine || !this.player || !this.leaderConfig) return;
    this.singing = mine;
    let details;
    try {
      details = await call('GET', `/songs/${encodeURIComponent(performance.request.song_id)}`);
    } catch (error) {
      toast(String(error.message ?? error), 'error');
      this.singing = null;
      return;
    }
    if (this.view?.performance?.request.id !== mine) return;
    // Our own song: the follower has nothing to follow, and must not steer our player.
    if (this.driver) this.driver.player = null;
    this.sing = new SingSession(performance, details, {
      player: this.player,
      socket: this.socket,
      leaderConfig: this.leaderConfig,
      act: (method, path, body, quiet) => this.act(method, path, body, quiet),
    }, this.singBox);
    this.songChanged({ song_id: details.id });
  }

  renderHeader() {
    const role = this.role;
    this.header.replaceChildren(
      h('h1.brand', {}, 'ktv'),
      h('div.room-name', {}, this.view.name),
      h('span.badge', { dataset: { role } }, t(role)),
      h('span.who', {}, this.member.name ?? ''),
    );
  }

  memberName(id) {
    return this.view?.members.find((m) => m.id === id)?.name ?? `#${id}`;
  }

  singerName(singer) {
    if (singer.walk_up) return singer.walk_up;
    return this.memberName(singer.member);
  }

  songTitle(id) {
    return this.songsById.get(id)?.title ?? id;
  }

  /** While no one sings: the room, the join code large, the queue and who is next. */
  idleScreen(qrClass) {
    const link = joinLink(this.roomId, this.member.token, null, serviceHttpsUrl());
    const waiting = this.view.queue.waiting;
    return [
      h('h2.idle-room', {}, this.view.name),
      h(`img.${qrClass}`, { src: `/api/qr.svg?text=${encodeURIComponent(link)}`, alt: link }),
      h('div.idle-scan', {}, t('invite')),
      h('div.muted.idle-link', {}, link),
      waiting.length
        ? h('ol.idle-queue', {}, ...waiting.slice(0, 5).map((r, i) =>
          h('li', { dataset: { next: i === 0 ? 'true' : 'false' } },
            i === 0 ? h('span.muted', {}, `${t('up_next')} · `) : null,
            h('b', {}, this.songTitle(r.song_id)), ' · ', this.singerName(r.singer))))
        : h('p.muted.idle-hint', {}, t('idle_hint')),
    ];
  }

  renderNow() {
    const performance = this.view.performance;
    // The invite is on the main screen: large while no one sings, compact beside the song.
    this.idle.hidden = Boolean(performance);
    this.stageRoot.hidden = !performance;
    this.idle.replaceChildren(...(performance ? [] : this.idleScreen('qr-idle')));
    const link = joinLink(this.roomId, this.member.token, null, serviceHttpsUrl());
    this.invite.hidden = !performance;
    this.invite.replaceChildren(...(performance ? [
      h('img.qr-small', { src: `/api/qr.svg?text=${encodeURIComponent(link)}`, alt: link }),
      h('div', {}, h('div', {}, t('invite')), h('button', { onclick: () => copyText(link) }, t('copy_link'))),
    ] : []));
    if (performance) {
      const r = performance.request;
      this.nowInfo.replaceChildren(
        h('div.now-title', {}, this.songTitle(r.song_id)),
        h('div.muted', {}, t('sung_by', { name: this.singerName(r.singer) }), ' · ', t(`mode_${r.preset.mode}`)),
      );
    } else {
      this.nowInfo.replaceChildren();
    }
    if (performance?.score != null || !performance) this.stage.setScore(performance?.score ?? null);
    const controls = [];
    if (performance && (this.isOwner || this.onStage)) {
      controls.push(
        h('button', { onclick: () => this.control({ control: 'pause' }), dataset: { action: 'pause' } }, t('pause')),
        h('button', { onclick: () => this.control({ control: 'resume' }), dataset: { action: 'resume' } }, t('resume')),
        h('button', { onclick: () => this.control({ control: 'restart' }), dataset: { action: 'restart' } }, t('restart')),
        h('button.danger', { onclick: () => this.skip(), dataset: { action: 'skip' } }, t('skip')),
      );
    }
    this.nowControls.replaceChildren(...controls);
    const last = this.history[0];
    this.lastResult.replaceChildren(...(last ? [
      h('div.result-card', { dataset: { result: 'last' } },
        h('div.muted', {}, t('results')),
        h('b', {}, this.songTitle(last.song_id)), ' · ', last.singer, ' · ',
        h('span.big-score', {}, last.score == null ? '—' : Math.round(last.score)), ' ',
        h('span.muted', {}, t(`ended_${last.ending}`))),
    ] : []));
  }

  renderListen() {
    if (!this.listenBox) return;
    const player = this.player;
    if (!player) {
      this.listenBox.replaceChildren();
      return;
    }
    const button = h('button.listen', {
      onclick: async () => {
        await player.enable();
        this.renderListen();
      },
      dataset: { action: 'listen' },
      disabled: player.audible,
    }, player.audible ? `♪ ${t('listening')}` : `♪ ${t('listen')}`);
    this.listenBox.replaceChildren(button);
  }

  renderQueue() {
    const queue = this.view.queue;
    const panel = this.panels.queue;
    const items = [];
    if (queue.playing) {
      items.push(h('h3', {}, t('playing')), this.queueItem(queue.playing, -1, true));
    }
    items.push(h('h3', {}, t('waiting')));
    if (!queue.waiting.length) items.push(h('p.muted.empty', {}, t('empty_queue')));
    const list = h('ol.queue', { dataset: { list: 'queue' } }, ...queue.waiting.map((r, i) => this.queueItem(r, i, false)));
    items.push(list);
    panel.replaceChildren(...items);
  }

  queueItem(request, index, playing) {
    const mine = request.requested_by === this.me || request.singer.member === this.me;
    const waiting = this.view.queue.waiting;
    const locked = index === 0 && this.view.queue.next_locked;
    const actions = [];
    if (playing) {
      if (this.isOwner || this.onStage) actions.push(h('button.danger', { onclick: () => this.skip(), dataset: { action: 'skip' } }, t('skip')));
    } else {
      if (this.isOwner) {
        actions.push(
          h('button', { onclick: () => this.pin(request.id), dataset: { action: 'pin' }, title: t('pin'), disabled: locked }, '⤒'),
          h('button', { onclick: () => this.move(request.id, index - 1), dataset: { action: 'up' }, title: t('up'), disabled: index === 0 || locked }, '↑'),
          h('button', { onclick: () => this.move(request.id, index + 1), dataset: { action: 'down' }, title: t('down'), disabled: index === waiting.length - 1 || locked }, '↓'),
        );
      }
      if (this.isOwner || mine) {
        actions.push(h('button.danger', { onclick: () => this.remove(request.id), dataset: { action: 'remove' }, title: t('remove') }, '✕'));
      }
    }
    const preset = request.preset;
    const details = [t(`mode_${preset.mode}`)];
    if (preset.key) details.push(`${t('key')} ${preset.key > 0 ? '+' : ''}${preset.key}`);
    if (preset.tempo !== 1) details.push(`${t('tempo')} ×${preset.tempo}`);
    return h('li.queue-item', { dataset: { request: String(request.id), song: request.song_id } },
      h('div.queue-main', {},
        h('div.queue-title', {}, this.songTitle(request.song_id)),
        h('div.muted', {}, this.singerName(request.singer), ' · ', details.join(' · '), locked ? ` · ${t('up_next')}` : '')),
      h('div.actions', {}, ...actions));
  }

  renderSeats() {
    const panel = this.panels.seats;
    const mySeat = this.view.seats.findIndex((s) => s.member === this.me);
    const seats = this.view.seats.map((seat, index) => {
      const actions = [];
      if (seat.member === this.me) {
        actions.push(h('button', { onclick: () => this.act('DELETE', '/seats/mine'), dataset: { action: 'leave-seat' } }, t('leave_seat')));
      } else if (seat.member == null && mySeat < 0) {
        actions.push(h('button.primary', { onclick: () => this.act('POST', '/seats', { seat: index }), dataset: { action: 'take-seat' } }, t('take_seat')));
      }
      if (this.isOwner && seat.member != null) {
        actions.push(h('button', { onclick: () => this.act('POST', `/seats/${index}/mute`, { muted: !seat.muted }), dataset: { action: 'mute' } }, seat.muted ? t('unmute') : t('mute')));
        if (seat.member !== this.me) actions.push(h('button.danger', { onclick: () => this.act('DELETE', `/seats/${index}`), dataset: { action: 'free-seat' } }, t('free_seat')));
      }
      return h('li.seat', { dataset: { seat: String(index), taken: String(seat.member != null) } },
        h('span.seat-number', {}, t('seat', { n: index + 1 })),
        h('span.seat-who', {}, seat.member == null ? h('span.muted', {}, t('empty_seat')) : this.memberName(seat.member)),
        seat.muted ? h('span.muted', {}, ` (${t('muted')})`) : null,
        h('div.actions', {}, ...actions));
    });
    panel.replaceChildren(h('p.muted', {}, t('seat_hint')), h('ul.seats', {}, ...seats));
  }

  renderSettings() {
    const link = joinLink(this.roomId, this.member.token, null, serviceHttpsUrl());
    const offset = h('input', { type: 'number', step: 10, value: this.offset, name: 'lyrics-offset', onchange: () => {
      this.offset = Number(offset.value) || 0;
      localStorage.setItem(OFFSET_KEY, String(this.offset));
    } });
    const micOffset = h('input', { type: 'number', step: 5, value: Number(localStorage.getItem(MIC_OFFSET_KEY)) || 0, name: 'mic-offset', onchange: () => {
      localStorage.setItem(MIC_OFFSET_KEY, String(Number(micOffset.value) || 0));
    } });
    this.panels.settings.replaceChildren(
      h('section.card', {}, h('h3', {}, t('invite')),
        h('img.qr', { src: `/api/qr.svg?text=${encodeURIComponent(link)}`, alt: link, width: 180, height: 180 }),
        h('div.actions', {},
          h('button', { onclick: () => copyText(link) }, t('copy_link')),
          h('a.button', { href: joinLink(this.roomId, this.member.token, 'tv'), target: '_blank' }, t('tv_view')))),
      h('section.card', {},
        h('label', {}, t('lyrics_offset'), offset),
        h('label', {}, t('mic_offset'), micOffset),
        h('label.check', {}, h('input', { type: 'checkbox', name: 'thin', checked: this.thin, onchange: (event) => {
          localStorage.setItem(THIN_KEY, event.target.checked ? '1' : '0');
          location.reload();
        } }), t('thin_stream')),
        h('label', {}, t('language'), languagePicker())),
      h('button.danger', { onclick: () => this.act('DELETE', `/members/${this.me}`).then(() => this.leave()) }, t('leave_room')),
    );
  }

  // ----- songs -----

  async loadSongs(query) {
    const q = query.trim();
    try {
      const songs = await call('GET', `/songs${q ? `?q=${encodeURIComponent(q)}` : ''}`);
      if (!q) for (const song of songs) this.songsById.set(song.id, song);
      if ((this.search?.value.trim() ?? '') !== q) return;
      this.songs = songs;
      this.renderSongs();
      if (this.view && !q) this.update(this.view);
    } catch (error) {
      toast(String(error.message ?? error), 'error');
    }
  }

  renderSongs() {
    if (this.tv || !this.songList) return;
    this.songList.replaceChildren(...this.songs.map((song) =>
      h('li.song', { dataset: { song: song.id }, onclick: () => this.showSong(song) },
        h('div.queue-title', {}, song.title),
        h('div.muted', {}, song.artist ?? '', song.duration ? ` · ${formatTime(song.duration)}` : ''))));
  }

  async showSong(song) {
    const key = h('input', { type: 'range', min: -12, max: 12, step: 1, value: 0, name: 'key' });
    const keyValue = h('output', {}, '0');
    key.oninput = () => { keyValue.textContent = key.value > 0 ? `+${key.value}` : key.value; };
    const tempo = h('input', { type: 'range', min: 0.8, max: 1.2, step: 0.05, value: 1, name: 'tempo' });
    const tempoValue = h('output', {}, '×1');
    tempo.oninput = () => { tempoValue.textContent = `×${Number(tempo.value).toFixed(2)}`; };
    const mode = h('select', { name: 'mode' }, ...['accompaniment', 'original', 'guide'].map((m) => h('option', { value: m }, t(`mode_${m}`))));
    const walkUp = this.isOwner ? h('input', { name: 'walk-up', placeholder: t('walk_up'), maxLength: 32 }) : null;
    const board = h('ol.leaderboard', {}, h('li.muted', {}, '…'));
    const canRequest = this.role !== 'audience';
    const request = async () => {
      const body = { song_id: song.id, preset: { key: Number(key.value), tempo: Number(tempo.value), mode: mode.value } };
      if (walkUp?.value.trim()) body.walk_up = walkUp.value.trim();
      const error = await attempt(() => this.act('POST', '/queue', body, true));
      if (!error) {
        toast(t('requested', { title: song.title }));
        this.songDetail.replaceChildren();
      }
    };
    this.songDetail.replaceChildren(h('div.sheet', { dataset: { detail: song.id } },
      h('button.close', { onclick: () => this.songDetail.replaceChildren(), 'aria-label': 'close' }, '✕'),
      h('h3', {}, song.title), h('div.muted', {}, song.artist ?? ''),
      song.duration ? h('div.muted', {}, `${t('duration')} ${formatTime(song.duration)}`) : null,
      canRequest ? h('div.presets', {},
        h('label', {}, t('key'), key, keyValue),
        h('label', {}, t('tempo'), tempo, tempoValue),
        h('label', {}, t('mode'), mode),
        walkUp,
        h('button.primary', { onclick: request, dataset: { action: 'request' } }, t('request'))) : h('p.muted', {}, t('seat_hint')),
      h('h4', {}, t('leaderboard')), board));
    try {
      const results = await call('GET', `/songs/${encodeURIComponent(song.id)}/leaderboard`);
      board.replaceChildren(...(results.length ? results.slice(0, 10).map((r) =>
        h('li', {}, r.singer, ' ', h('b', {}, Math.round(r.score)))) : [h('li.muted', {}, t('no_scores'))]));
    } catch {
      board.replaceChildren();
    }
  }

  /** Loads the room's history; `expect` names a performance (its start) that just ended, which
   *  the service announces before it has stored the result, so it is waited for briefly. */
  async loadHistory(expect = null) {
    for (let attempt = 0; ; attempt++) {
      try {
        this.history = await call('GET', `/rooms/${encodeURIComponent(this.roomId)}/history`, { member: this.member });
      } catch {
        return;
      }
      if (expect == null || this.history.some((r) => r.started_at === expect) || attempt >= 10) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (this.tv) return;
    this.panels.results.replaceChildren(h('h3', {}, t('history')),
      this.history.length ? h('ol.history', {}, ...this.history.map((r) =>
        h('li', {}, h('b', {}, this.songTitle(r.song_id)), ' · ', r.singer, ' · ',
          r.score == null ? '—' : `${t('score')} ${Math.round(r.score)}`, ' ',
          h('span.muted', {}, t(`ended_${r.ending}`), ' · ', new Date(r.ended_at).toLocaleTimeString()))))
        : h('p.muted', {}, t('no_history')));
    if (this.view) this.renderNow();
  }

  // ----- TV -----

  renderTv() {
    const view = this.view;
    const performance = view.performance;
    this.title.replaceChildren(...(performance ? [
      h('b', {}, this.songTitle(performance.request.song_id)), ' · ', this.singerName(performance.request.singer),
    ] : [view.name]));
    if (performance?.score != null || !performance) this.stage.setScore(performance?.score ?? null);
    const next = view.queue.waiting[0];
    this.upNext.replaceChildren(...(next ? [
      h('div.muted', {}, t('up_next')), h('b', {}, this.songTitle(next.song_id)), h('div', {}, this.singerName(next.singer)),
    ] : []));
    const link = joinLink(this.roomId, this.member.token, null, serviceHttpsUrl());
    if (!this.qr.firstChild) {
      this.qr.append(h('img', { src: `/api/qr.svg?text=${encodeURIComponent(link)}`, alt: link }), h('div', {}, t('invite')));
    }
    // While no one sings the screen invites: the room, the code large, the queue.
    this.idle.hidden = Boolean(performance);
    this.qr.hidden = !performance;
    this.stageRoot.hidden = !performance;
    this.idle.replaceChildren(...(performance ? [] : this.idleScreen('tv-qr-idle')));
  }

  // ----- actions (each refused by the service if the role does not allow it) -----

  /** Calls the room's API as this member; refusals are shown and rethrown. */
  async act(method, path, body, quiet = false) {
    const run = () => call(method, `/rooms/${encodeURIComponent(this.roomId)}${path}`, { member: this.member, body });
    if (quiet) return run();
    let result;
    const error = await attempt(async () => { result = await run(); });
    if (error) throw error;
    return result;
  }

  pin(id) { return this.act('POST', `/queue/${id}/pin`).catch(() => {}); }
  move(id, index) { return this.act('POST', `/queue/${id}/move`, { index }).catch(() => {}); }
  remove(id) { return this.act('DELETE', `/queue/${id}`).catch(() => {}); }
  skip() { return this.act('POST', '/skip').catch(() => {}); }
  control(control) { return this.act('POST', '/controls', control).catch(() => {}); }

  /** Tries an action the page would not offer, returning the service's answer (for tests). */
  async tryAction(method, path, body) {
    try {
      await call(method, `/rooms/${encodeURIComponent(this.roomId)}${path}`, { member: this.member, body });
      return { ok: true };
    } catch (error) {
      toast(describe(error), 'error');
      return { ok: false, status: error.status, code: error.code, message: error.message };
    }
  }
}

function enterRoom(room, tv) {
  const member = savedMember(room);
  new RoomPage(room, member, tv);
}

async function start() {
  setLanguage(language());
  await loadServiceInfo();
  const secure = moveForTheMicrophone(location.href, window.isSecureContext);
  if (secure) {
    location.replace(secure);
    return;
  }
  const room = params.get('room');
  const token = params.get('token');
  const tv = params.get('view') === 'tv';
  if (!room) {
    home();
  } else if (savedMember(room)) {
    enterRoom(room, tv);
  } else if (token) {
    joinForm(room, token, tv);
  } else {
    home();
  }
}

start();
