// Call controls: microphone, camera, raised hand, audio-only mode, screen share (with a preview
// before anything is sent) and the small-screen "More" menu.

import { getScreen, stopStream } from "./media.js";

const $ = (id) => document.getElementById(id);

// Resolves true when the user confirms the share preview, false when they cancel.
async function confirmShare(stream) {
  const dialog = $("share-dialog");
  $("share-preview").srcObject = stream;
  dialog.showModal();
  const ok = await new Promise((resolve) => {
    $("share-confirm").onclick = () => resolve(true);
    $("share-cancel").onclick = () => resolve(false);
    dialog.addEventListener("cancel", () => resolve(false), { once: true });
  });
  dialog.close();
  $("share-preview").srcObject = null;
  return ok;
}

export function wireControls({ local, peers, stage, sig, announce, t }) {
  const sendMedia = () => sig.send({ type: "media", ...local.media });
  const repaint = () => {
    stage.paintLocal();
    sendMedia();
  };

  $("ctl-mic").addEventListener("click", () => local.toggleAudio() && repaint());
  $("ctl-cam").addEventListener("click", () => local.toggleVideo() && repaint());
  $("ctl-hand").addEventListener("click", () => {
    local.hand = !local.hand;
    sig.send({ type: "hand", up: local.hand });
    stage.paintLocal();
  });
  $("ctl-lowbw").addEventListener("click", () => {
    local.lowBandwidth = !local.lowBandwidth;
    peers.applyBandwidth();
    stage.paintLocal();
    stage.paintRemote();
    sendMedia();
    announce(t(local.lowBandwidth ? "audioOnlyOn" : "videoBackOn"));
  });

  // Screen share: preview first, then replaceTrack on every peer's video sender.
  async function stopShare() {
    if (!local.screen) return;
    local.stopScreen();
    await peers.replaceVideo(local.camTrack, local.stream);
    stage.showLocal(local.stream);
    repaint();
  }
  $("ctl-share").addEventListener("click", async () => {
    if (local.screen) return stopShare();
    let s;
    try {
      s = await getScreen();
    } catch {
      return;
    }
    if (!(await confirmShare(s))) return stopStream(s);
    const track = s.getVideoTracks()[0];
    track.addEventListener("ended", stopShare);
    local.startScreen(s);
    await peers.replaceVideo(track, s);
    stage.showLocal(s);
    repaint();
  });

  const more = $("more-menu");
  $("ctl-more").addEventListener("click", () => {
    more.hidden = !more.hidden;
    $("ctl-more").setAttribute("aria-expanded", String(!more.hidden));
  });
  more.querySelectorAll("[data-proxy]").forEach((b) =>
    b.addEventListener("click", () => {
      more.hidden = true;
      $("ctl-more").setAttribute("aria-expanded", "false");
      $(b.dataset.proxy).click();
    }),
  );

  return { sendMedia };
}
