// The kill switch and resume, each behind a confirmation that says what will happen.
import { act } from "./api.js";
import { byId } from "./dom.js";
import { openDialog } from "./dialog.js";

function kill() {
  return openDialog({
    title: "Kill switch",
    ok: "Kill: cancel, flatten, halt",
    danger: true,
    html: `<p>This will, at once and for every strategy:</p><ul>
      <li><b>cancel</b> every open order at the venue;</li>
      <li><b>flatten</b> every position with market orders (untick below to keep positions);</li>
      <li><b>halt</b> trading: the state becomes HALTED and no order goes out until someone resumes.</li></ul>
      <label class="check"><input type="checkbox" name="flatten" checked> flatten every position</label>
      <label>Reason <input name="reason" required maxlength="500" value="kill switch from the web dashboard"></label>`,
    submit: async (form) => {
      const done = await act("POST", "/api/v1/system/kill", {
        reason: form.elements.reason.value,
        flatten: form.elements.flatten.checked,
      }, "Kill switch sent: trading is halting");
      return done ? undefined : "The kill switch was refused (see the message): nothing was sent.";
    },
  });
}

function resume() {
  return openDialog({
    title: "Resume trading",
    ok: "Resume",
    html: `<p>Trading goes back to ACTIVE: strategies may send orders again from their next signal. Positions closed
      by the kill switch are not reopened.</p>
      <label>Reason <input name="reason" required maxlength="500" placeholder="why it is safe to trade again"></label>`,
    submit: async (form) => {
      const done = await act("POST", "/api/v1/system/resume", { reason: form.elements.reason.value }, "Resumed");
      return done ? undefined : "Resume was refused (see the message).";
    },
  });
}

export function setupControl() {
  byId("kill").onclick = () => void kill();
  byId("resume").onclick = () => void resume();
}
