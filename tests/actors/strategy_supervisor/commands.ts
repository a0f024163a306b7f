/** Stands in for the risk guardian: records the commands a strategy supervisor sends; answers GetCommands. */
import type { Behaviour, Message } from "../../../actors/runtime/mod.ts";

export default {
  accepts: ["SubmitOrder", "CancelOrder", "ModifyOrder", "CancelAll", "BarHandled", "GetCommands"],
  init: () => [] as Message[],
  receive(commands, msg, ctx) {
    if (msg.type === "GetCommands") ctx.reply({ type: "Commands", commands });
    else commands.push(msg);
    return commands;
  },
} satisfies Behaviour<Message, Message[]>;
