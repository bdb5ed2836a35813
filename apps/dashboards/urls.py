from django.urls import path

from . import account_views, analytics_views, money_views, progress_views, report_views, views

app_name = "dashboards"
urlpatterns = [
    path("dashboard/", views.dashboard_home, name="home"),
    path("dashboard/learner/", views.learner_home, name="learner"),
    path("dashboard/learner/progress/", progress_views.learner_progress, name="learner_progress"),
    path("dashboard/learner/progress/goals/", progress_views.goal_add, name="learner_goal_add"),
    path("dashboard/learner/progress/goals/<int:pk>/", progress_views.goal_edit, name="learner_goal_edit"),
    path(
        "dashboard/learner/progress/goals/<int:pk>/archive/", progress_views.goal_archive, name="learner_goal_archive"
    ),
    path("dashboard/learner/progress/notes/<int:booking_id>/", progress_views.session_note, name="learner_note"),
    path("dashboard/mentor/", views.mentor_home, name="mentor"),
    path("dashboard/mentor/analytics/", analytics_views.mentor_analytics, name="mentor_analytics"),
    path(
        "dashboard/learner/recommendations/",
        analytics_views.learner_recommendations,
        name="learner_recommendations",
    ),
    path("dashboard/admin/", views.admin_home, name="admin"),
    path("dashboard/admin/mentors/", account_views.admin_mentors, name="admin_mentors"),
    path("dashboard/admin/mentors/<int:pk>/decide/", account_views.admin_mentor_decide, name="admin_mentor_decide"),
    path("dashboard/admin/users/", account_views.admin_users, name="admin_users"),
    path("dashboard/admin/audit/", account_views.admin_audit, name="admin_audit"),
    path("dashboard/admin/payments/", account_views.admin_payments, name="admin_payments"),
    path("dashboard/admin/payments/<str:receipt>/", account_views.admin_payment, name="admin_payment"),
    path("dashboard/admin/feedback/", account_views.admin_feedback, name="admin_feedback"),
    path(
        "dashboard/admin/feedback/<int:pk>/", account_views.admin_feedback_visibility, name="admin_feedback_visibility"
    ),
    path("dashboard/admin/sessions/", account_views.admin_sessions, name="admin_sessions"),
    path("dashboard/admin/sessions/<int:pk>/cancel/", account_views.admin_session_cancel, name="admin_session_cancel"),
    path("dashboard/admin/users/<int:pk>/", account_views.admin_user, name="admin_user"),
    path("dashboard/admin/users/<int:pk>/block/", account_views.admin_user_block, name="admin_user_block"),
    path("dashboard/admin/users/<int:pk>/feature/", account_views.admin_user_feature, name="admin_user_feature"),
    path("dashboard/admin/reports/", report_views.admin_reports, name="admin_reports"),
    path("dashboard/admin/reports/<int:year>-<int:month>.csv", report_views.admin_report_csv, name="admin_report_csv"),
    path("dashboard/admin/reports/<int:year>-<int:month>.pdf", report_views.admin_report_pdf, name="admin_report_pdf"),
    path("profile/delete/", account_views.delete_account, name="delete_account"),
    path("dashboard/mentor/withdrawals/", money_views.mentor_withdrawals, name="mentor_withdrawals"),
    path(
        "dashboard/mentor/withdrawals/<int:pk>/cancel/",
        money_views.mentor_withdrawal_cancel,
        name="mentor_withdrawal_cancel",
    ),
    path("dashboard/admin/withdrawals/", money_views.admin_withdrawals, name="admin_withdrawals"),
    path("dashboard/learner/tip/<int:session_id>/", money_views.learner_tip, name="learner_tip"),
    path(
        "dashboard/admin/withdrawals/<int:pk>/<str:action>/",
        money_views.admin_withdrawal_action,
        name="admin_withdrawal_action",
    ),
]
