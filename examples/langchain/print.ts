/**
 * Prints a LangChain conversation the way the examples show it: the script
 * the model wrote, the text the tool returned, and the answer.
 *
 * @module
 */
import { AIMessage, type BaseMessage, ToolMessage } from "@langchain/core/messages";

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, "    ");
}

function text(message: BaseMessage): string {
  return typeof message.content === "string" ? message.content : JSON.stringify(message.content);
}

/**
 * Prints each message of a conversation after the question.
 *
 * @param messages the conversation, starting with the user's question.
 */
export function printConversation(messages: BaseMessage[]): void {
  for (const message of messages.slice(1)) {
    if (AIMessage.isInstance(message) && message.tool_calls?.length) {
      for (const call of message.tool_calls) {
        console.log(`\nThe model called ${call.name} with this script:\n`);
        console.log(indent(String(call.args.code)));
      }
    } else if (ToolMessage.isInstance(message)) {
      console.log(`\nThe tool returned (this text is what the model reads):\n`);
      console.log(indent(text(message)));
    } else if (AIMessage.isInstance(message)) {
      console.log(`\nThe model answered:\n\n${indent(text(message))}`);
    }
  }
  console.log(`\nFinal answer: ${text(messages.at(-1)!)}`);
}
