export { decredProfile } from './profile.js';
export { answeredInventory, COMMAND_REQUESTS, INVENTORY_ANSWER_COMMANDS } from './stall.js';
