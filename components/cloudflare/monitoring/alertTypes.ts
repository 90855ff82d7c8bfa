/**
 * The Cloudflare alert types the platform's notification policies use (`alertType` of `cloudflare.NotificationPolicy`).
 * Pure: the `Monitoring` component creates policies of these types and the `monitoring-configured` policy reads them.
 */

/** Alert types of Cloudflare notification policies the platform creates. Source: `alertType` of @pulumi/cloudflare 6.22.1 `notificationPolicy.d.ts`. */
export const ALERT_TYPES = {
    /** A Health Check changes status (https://developers.cloudflare.com/health-checks/health-checks-notifications/). */
    healthCheck: "health_check_status_notification",
    /** HTTP 5xx error rate above the SLO's budget (https://developers.cloudflare.com/notifications/reference/traffic-alerts/). */
    errorRate: "advanced_http_alert_error",
    /** A Logpush job disabled after failing repeatedly (https://developers.cloudflare.com/logs/logpush/alerts-and-analytics/). */
    logpushDisabled: "failing_logpush_job_disabled_alert",
} as const;
