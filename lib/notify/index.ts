// Notification channels and their delivery (docs/workflows.md).
export {
  CHANNEL_KINDS,
  CHANNEL_NOT_FOUND,
  createChannel,
  deleteChannel,
  getChannel,
  listChannels,
  replaceChannelSecret,
  setChannelEnabled,
  webhookUrlProblem,
  type Channel,
  type ChannelKind,
  type NewChannel,
} from "./channels";
export { payloadOf, queueNotification, type AlertSummary, type DeliveryReason, type HealthSummary, type NotificationRequest } from "./queue";
export { recentDeliveries, type DeliveryStatus, type DeliveryView } from "./read";
export { DELIVERY_HEADER, SIGNATURE_HEADER, SIGNATURE_TOLERANCE_SECONDS, signatureOf, TIMESTAMP_HEADER, verifySignature } from "./signature";
