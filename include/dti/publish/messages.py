"""Every word the report shows, in Vietnamese (the default) and English: one catalog per language.

The template holds no text of its own; it asks ``lang.t(key, ...)`` for each string, so both
reports are built from the same template and the same figures. Messages are trusted markup (they
may hold ``<strong>``); values put into them are escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

VI_MESSAGES: dict[str, str] = {
    # the document
    "html_title": "Báo cáo kết quả Chỉ số chuyển đổi số (DTI) {province} – kỳ {period}",
    "switch_language": "English",
    "link_portal": "Cổng thông tin",
    "link_workbook": "Bảng tính (XLSX)",
    "link_scorecards": "Phiếu kết quả từng đơn vị",
    "switch_language_title": "Read this report in English",
    "national_name": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "national_motto": "Độc lập - Tự do - Hạnh phúc",
    "document_number": "Số: …/{symbol}",
    "place_and_date": "{place}, ngày … tháng … năm {year}",
    "document_kind": "BÁO CÁO",
    "document_subject": "Kết quả đánh giá chỉ số chuyển đổi số (DTI) kỳ {period}",
    "recipients_heading": "Nơi nhận:",
    "signer_name_placeholder": "(Ký, ghi rõ họ tên)",
    # province
    "province_heading": "Chỉ số DTI cấp tỉnh",
    "province_label": "DTI {province}",
    "grade": "Xếp loại (thang của tỉnh): <strong>{grade}</strong>",
    "estimate_label": "ước tính",
    "dti_range": "Khoảng giá trị: <strong>{lowest} – {highest}</strong>",
    "coverage": (
        "Đo được <strong>{measured}/{total}</strong> chỉ số thành phần của bộ chỉ số chính thức: {official} theo "
        "định nghĩa chính thức, {proxies} theo chỉ số thay thế của tỉnh"
    ),
    "coverage_awaiting": "; {awaiting} chỉ số chờ Bộ đánh giá",
    "coverage_no_data": "; {no_data} chỉ số không có dữ liệu trong kỳ",
    "coverage_complete": "Đo được đủ {total}/{total} chỉ số thành phần theo định nghĩa chính thức.",
    "rank_range": "Thứ hạng ước tính trong cả nước: <strong>{best}–{worst}</strong>",
    "rank_single": "Thứ hạng ước tính trong cả nước: <strong>{rank}</strong>",
    "pillars": "Trụ cột: chính quyền số {government} · kinh tế số {economy} · xã hội số {society}",
    "points_total": "Tổng điểm đạt: <strong>{points}</strong> / {max_points} điểm",
    "points_total_awaiting": (
        "Tổng điểm đạt: <strong>{points}</strong> / {max_points} điểm, chưa kể {awaiting} chỉ số chờ Bộ đánh giá "
        "(DTI ước tính tính mỗi chỉ số chính trên các thành phần đo được)"
    ),
    "change_since": "So với kỳ {period} ({previous}): <strong>{change}</strong>",
    "no_previous_period": "Chưa có kỳ trước để so sánh.",
    "dti_target_met": "Mục tiêu DTI {goal}: <strong>đạt</strong>, vượt {distance}",
    "dti_target_unmet": "Mục tiêu DTI {goal}: <strong>chưa đạt</strong>, còn thiếu {distance}",
    "units_counted": (
        "Đơn vị có dữ liệu được tính điểm: {submitted} / {total} (đúng hạn {on_time}, nộp muộn {late}); "
        "bị từ chối: {rejected}; chưa nộp: {missing}"
    ),
    # main indices
    "main_indices_heading": "Các chỉ số chính",
    "col_number": "STT",
    "col_main_index": "Chỉ số chính",
    "col_group": "Nhóm",
    "col_points": "Điểm đạt",
    "col_max_points": "Điểm tối đa",
    "col_value": "Giá trị",
    "col_components_measured": "Thành phần đo được",
    "col_value_range": "Khoảng giá trị",
    "not_scored": "không tính điểm",
    # targets
    "targets_heading": "Tiến độ thực hiện mục tiêu",
    "col_target": "Mục tiêu",
    "col_actual": "Thực tế",
    "col_gap": "Còn thiếu",
    "col_result": "Kết quả",
    "col_change_since_previous": "Thay đổi so với kỳ trước",
    "met": "Đạt",
    "unmet": "Chưa đạt",
    "not_measured": "chưa đo được",
    "targets_note": (
        "Tỷ lệ ghi theo phần trăm; chênh lệch tỷ lệ ghi theo điểm phần trăm (điểm %). "
        "Thứ hạng là thứ hạng ước tính trong cả nước (mục dưới)."
    ),
    "no_targets": "Chưa có mục tiêu nào cho kỳ này.",
    "rank_places": "{places} bậc",
    "percentage_points": "{points} điểm %",
    "unchanged": "không đổi",
    "rank_unchanged": "giữ nguyên",
    "rank_up": "lên {places} bậc",
    "rank_down": "xuống {places} bậc",
    # peer rank
    "peer_rank_heading": "Thứ hạng ước tính trong cả nước",
    "peer_rank_unknown": (
        "Chưa ước tính được thứ hạng: chưa có kết quả DTI đã công bố của tỉnh, thành phố nào khác để so sánh."
    ),
    "peer_rank": "Với DTI {dti}, tỉnh đứng <strong>thứ {rank}</strong>",
    "peer_rank_worst_case": " (trường hợp xấu nhất: thứ {rank})",
    "peer_rank_compared": (
        " khi so với kết quả DTI năm {year} đã công bố; {peers} tỉnh, thành phố khác có điểm được công bố."
    ),
    "peer_rank_uncertain": (
        "Kết quả công bố không có điểm của mọi địa phương: thứ hạng ước tính chỉ tính các địa phương chắc chắn "
        "đứng trên; trường hợp xấu nhất coi mọi địa phương chưa rõ vị trí là đứng trên."
    ),
    "tenth_place_short": "Điểm DTI của vị trí thứ 10: {score}; tỉnh còn thiếu {gap}.",
    "tenth_place_ahead": "Điểm DTI của vị trí thứ 10: {score}; tỉnh vượt {gap}.",
    "top10_unknown": "Kết quả đã công bố chưa đủ để xác định tỉnh có thuộc nhóm 10 địa phương dẫn đầu hay không.",
    "top10_in": "Tỉnh thuộc nhóm 10 địa phương dẫn đầu.",
    "top10_out": "Tỉnh chưa thuộc nhóm 10 địa phương dẫn đầu.",
    # levers
    "levers_heading": "Các chỉ số thành phần cần ưu tiên cải thiện",
    "levers_gap": (
        "Để đạt mục tiêu DTI còn thiếu {gap}. Các chỉ số thành phần đánh dấu “cần để đạt mục tiêu” là nhóm ít "
        "chỉ số nhất (chọn lần lượt theo mức tăng DTI lớn nhất) mà khi đạt điểm tối đa sẽ bù đủ khoảng cách này."
    ),
    "col_order": "Thứ tự",
    "col_code": "Mã",
    "col_component": "Chỉ số thành phần",
    "col_responsible": "Đơn vị chịu trách nhiệm",
    "col_units_short": "Đơn vị chưa đạt điểm tối đa",
    "col_headroom": "Điểm còn có thể đạt",
    "col_dti_gain": "DTI tăng thêm",
    "col_closes_gap": "Để đạt mục tiêu",
    "closes_gap": "cần để đạt mục tiêu",
    "all_components_full": "Mọi chỉ số thành phần đã đạt điểm tối đa.",
    "more_units": "{names} và {more} đơn vị khác",
    # units
    "units_heading": "Kết quả các đơn vị",
    "units_note": (
        "Sở, ban, ngành được xếp hạng với nhau; xã và phường được xếp hạng chung. Đơn vị chưa nộp hoặc có mọi tệp "
        "bị từ chối được tính 0 điểm ở các chỉ số không có dữ liệu và vẫn được xếp hạng; các đơn vị nộp muộn, "
        "bị từ chối hoặc chưa nộp được đánh dấu để đôn đốc."
    ),
    "departments": "Sở, ban, ngành",
    "communes_and_wards": "Xã, phường",
    "col_rank": "Hạng",
    "col_unit": "Đơn vị",
    "col_unit_type": "Loại đơn vị",
    "col_submission": "Trạng thái nộp",
    "col_dti": "DTI",
    "col_grade": "Xếp loại",
    "col_change": "Thay đổi",
    "col_components_missing": "Chỉ số thiếu dữ liệu",
    # urging
    "urging_heading": "Danh sách đôn đốc",
    "urging_note": (
        "Đơn vị nộp muộn, chỉ có tệp bị từ chối hoặc chưa nộp bảng tự đánh giá của kỳ này; đơn vị bị từ chối "
        "cần sửa theo lý do và nộp lại."
    ),
    "col_status": "Trạng thái",
    "col_due_date": "Hạn nộp",
    "col_submitted_at": "Nộp lúc",
    "col_files_rejected": "Tệp bị từ chối",
    "col_rejection_reasons": "Lý do từ chối",
    "all_on_time": "Mọi đơn vị đã nộp đúng hạn.",
    "vietnam_time": "%H:%M ngày %d/%m/%Y (giờ Việt Nam)",
    "date": "%d/%m/%Y",
    # quarantine
    "quarantine_heading": "Dữ liệu bị cách ly",
    "quarantine_note": (
        "Các tệp và dòng dưới đây không được đưa vào tính điểm; đơn vị gửi cần sửa theo lý do và nộp lại."
    ),
    "col_file": "Tệp",
    "col_row": "Dòng",
    "col_column": "Cột",
    "col_reason": "Lý do",
    "whole_file": "cả tệp",
    "nothing_quarantined": "Không có tệp nào bị cách ly trong kỳ này.",
    # data quality
    "quality_heading": "Kiểm tra chất lượng dữ liệu",
    "quality_note": (
        "Các bộ kiểm tra (Great Expectations) đã chạy trong lượt chạy này, trên dữ liệu thô của từng tệp và trên "
        "các bảng kết quả; chi tiết từng kiểm tra xem tại <a href=\"{href}\">Data Docs</a>."
    ),
    "col_suite": "Bộ kiểm tra",
    "col_validations": "Số lần kiểm tra",
    "col_passed": "Đạt",
    "col_expectations": "Điều kiện đã kiểm tra",
    "col_failed": "Điều kiện không đạt",
    "suite_passed": "Đạt",
    "suite_failed": "Không đạt",
    "no_validations": "Lượt chạy này chưa ghi nhận kết quả kiểm tra chất lượng nào.",
    # methodology and sources
    "methodology_heading": "Phương pháp và nguồn dữ liệu",
    "methodology_formula": (
        "DTI = tổng điểm đạt / tổng điểm tối đa của các chỉ số chính (thang 0–1), theo {legal_document}."
    ),
    "framework": "Bộ chỉ số áp dụng: {name} (phiên bản {version}).",
    "methodology_estimate": (
        "Bộ chỉ số chính thức có {total} chỉ số thành phần. Chừng nào chưa đo được đủ các chỉ số thành phần theo "
        "định nghĩa chính thức, DTI là <strong>ước tính</strong>: mỗi chỉ số chính được tính từ các thành phần đo "
        "được (điểm đạt / điểm tối đa của chúng); chỉ số chờ Bộ đánh giá hoặc không có dữ liệu trong kỳ (nguồn không "
        "gửi dữ liệu, mẫu số bằng 0) không bị tính là 0. Khoảng giá trị: cận "
        "dưới khi mọi thành phần chưa đo được đạt 0 điểm, cận trên khi đạt điểm tối đa. Điểm của một thành phần "
        "lấy theo phụ lục của Bộ khi đã nạp; khi chưa nạp, <strong>giả định</strong> mỗi thành phần có điểm bằng "
        "nhau trong chỉ số chính của nó (điểm của chỉ số chính / số thành phần chính thức), mỗi chỉ số thay thế "
        "của tỉnh đại diện cho một thành phần chính thức. Giả định này không phải số liệu của Bộ."
    ),
    "methodology_counts_unverified": (
        " Số thành phần của từng chỉ số chính trong phiên bản {version} chưa được xác minh (chỉ tổng số {total} "
        "được xác minh): phần điểm mỗi thành phần được chia đều trên toàn bộ {total} thành phần."
    ),
    "methodology_grades": (
        "Bộ chỉ công bố giá trị và thứ hạng DTI của các tỉnh, không xếp loại tỉnh. Xếp loại (Xuất sắc … Kém) là "
        "thang của tỉnh dành cho các đơn vị, theo quyết định của tỉnh."
    ),
    "methodology_pillars": (
        "Giá trị mỗi trụ cột = (điểm năm chỉ số nền tảng + điểm chỉ số hoạt động của trụ cột) / (tổng điểm tối đa "
        "của chúng), như Bộ công bố bên cạnh DTI."
    ),
    "awaited_components": "Chỉ số chờ Bộ đánh giá (chưa nhận được giá trị Bộ công bố hoặc gửi):",
    "no_data_components": (
        "Chỉ số không có dữ liệu trong kỳ (không tính là 0 điểm: nằm ngoài DTI ước tính, trong khoảng giá trị); "
        "cần thu thập dữ liệu trước:"
    ),
    "points_no_data": " Chưa kể {no_data} chỉ số không có dữ liệu trong kỳ.",
    "collect_data_first": "Thu thập dữ liệu trước",
    "number_conventions": (
        "Giá trị chỉ số ghi với dấu chấm thập phân (ví dụ 0.6123); điểm và tỷ lệ ghi theo cách viết số tiếng Việt "
        "(ví dụ 612,34 điểm; 55,3%)."
    ),
    "sources_intro": "Nguồn dữ liệu của điểm cấp tỉnh:",
    "source_files": "{source}: {files} tệp/trang dữ liệu",
    "data_as_of": "Dữ liệu tiếp nhận đến: {moment}.",
    "run": "Lượt chạy: <code>{run_id}</code> · Lập lúc {moment}",
    # charts
    "chart_main_indices_title": "Giá trị các chỉ số chính so với mức tối đa 1,0",
    "chart_main_indices_caption": (
        "Hình 1. Giá trị các chỉ số chính của tỉnh (điểm đạt / điểm tối đa); thanh nền là mức tối đa 1,0."
    ),
    "chart_targets_title": "Thực tế so với mục tiêu",
    "chart_targets_caption": (
        "Hình 2. Thực tế và mục tiêu của các mục tiêu đo theo thang 0–1 (DTI, tỷ lệ, có/không); "
        "thứ hạng xem bảng trên."
    ),
    "chart_units_title": "Phân bố DTI của các đơn vị",
    "chart_units_caption": "Hình 3. Số đơn vị theo khoảng DTI, sở, ban, ngành và xã, phường.",
    "axis_index_value": "Giá trị chỉ số",
    "axis_scale_0_1": "Giá trị (thang 0–1)",
    "axis_dti_band": "Khoảng DTI",
    "axis_unit_count": "Số đơn vị",
    "legend_actual": "Thực tế",
    "legend_target": "Mục tiêu",
}

EN_MESSAGES: dict[str, str] = {
    "html_title": "Digital Transformation Index (DTI) of {province} – report for {period}",
    "switch_language": "Tiếng Việt",
    "link_portal": "Portal",
    "link_workbook": "Workbook (XLSX)",
    "link_scorecards": "Unit scorecards",
    "switch_language_title": "Đọc báo cáo bằng tiếng Việt",
    "national_name": "SOCIALIST REPUBLIC OF VIET NAM",
    "national_motto": "Independence - Freedom - Happiness",
    "document_number": "No.: …/{symbol}",
    "place_and_date": "{place}, … … {year}",
    "document_kind": "REPORT",
    "document_subject": "Results of the Digital Transformation Index (DTI) assessment for {period}",
    "recipients_heading": "Recipients:",
    "signer_name_placeholder": "(Signature, full name)",
    "province_heading": "Provincial DTI",
    "province_label": "DTI of {province}",
    "grade": "Grade (the province's own scale): <strong>{grade}</strong>",
    "estimate_label": "estimate",
    "dti_range": "Range: <strong>{lowest} – {highest}</strong>",
    "coverage": (
        "Measured <strong>{measured} of {total}</strong> components of the official framework: {official} by their "
        "official definition, {proxies} by a provincial proxy"
    ),
    "coverage_awaiting": "; {awaiting} awaiting the Ministry's assessment",
    "coverage_no_data": "; {no_data} with no data for the period",
    "coverage_complete": "All {total} components measured by their official definition.",
    "rank_range": "Estimated national rank: <strong>{best}–{worst}</strong>",
    "rank_single": "Estimated national rank: <strong>{rank}</strong>",
    "pillars": "Pillars: digital government {government} · digital economy {economy} · digital society {society}",
    "points_total": "Points achieved: <strong>{points}</strong> / {max_points} points",
    "points_total_awaiting": (
        "Points achieved: <strong>{points}</strong> / {max_points} points, not counting {awaiting} component(s) "
        "awaiting the Ministry (the estimated DTI values each main index on the components measured)"
    ),
    "change_since": "Compared with {period} ({previous}): <strong>{change}</strong>",
    "no_previous_period": "No previous period to compare with yet.",
    "dti_target_met": "DTI target {goal}: <strong>met</strong>, exceeded by {distance}",
    "dti_target_unmet": "DTI target {goal}: <strong>not met</strong>, short by {distance}",
    "units_counted": (
        "Units with scored data: {submitted} / {total} (on time {on_time}, late {late}); "
        "rejected: {rejected}; not submitted: {missing}"
    ),
    "main_indices_heading": "Main indices",
    "col_number": "No.",
    "col_main_index": "Main index",
    "col_group": "Group",
    "col_points": "Points",
    "col_max_points": "Max points",
    "col_value": "Value",
    "col_components_measured": "Components measured",
    "col_value_range": "Range",
    "not_scored": "not scored",
    "targets_heading": "Progress on targets",
    "col_target": "Target",
    "col_actual": "Actual",
    "col_gap": "Still missing",
    "col_result": "Result",
    "col_change_since_previous": "Change since previous period",
    "met": "Met",
    "unmet": "Not met",
    "not_measured": "not measured",
    "targets_note": (
        "Rates are shown as percentages; differences of rates in percentage points (pp). "
        "The rank is the estimated national rank (next section)."
    ),
    "no_targets": "No targets set for this period.",
    "rank_places": "{places} places",
    "percentage_points": "{points} pp",
    "unchanged": "unchanged",
    "rank_unchanged": "unchanged",
    "rank_up": "up {places} places",
    "rank_down": "down {places} places",
    "peer_rank_heading": "Estimated national rank",
    "peer_rank_unknown": (
        "The rank cannot be estimated yet: no other province or city has published DTI results to compare with."
    ),
    "peer_rank": "With a DTI of {dti}, the province ranks <strong>{rank}</strong>",
    "peer_rank_worst_case": " (worst case: {rank})",
    "peer_rank_compared": (
        " against the published DTI results of {year}; {peers} other provinces and cities have a published score."
    ),
    "peer_rank_uncertain": (
        "The published results do not give every province's score: the estimated rank counts only those surely "
        "ahead; the worst case counts every province of unknown position as ahead."
    ),
    "tenth_place_short": "DTI of 10th place: {score}; the province is short by {gap}.",
    "tenth_place_ahead": "DTI of 10th place: {score}; the province is ahead by {gap}.",
    "top10_unknown": "The published results are not enough to tell whether the province is in the national top 10.",
    "top10_in": "The province is in the national top 10.",
    "top10_out": "The province is not yet in the national top 10.",
    "levers_heading": "Components to improve first",
    "levers_gap": (
        "The DTI target is still {gap} away. Components marked “needed for the target” are the smallest set "
        "(taken by largest DTI gain first) that closes this gap when they reach full points."
    ),
    "col_order": "Order",
    "col_code": "Code",
    "col_component": "Component",
    "col_responsible": "Responsible units",
    "col_units_short": "Units short of full points",
    "col_headroom": "Points still available",
    "col_dti_gain": "DTI gain",
    "col_closes_gap": "For the target",
    "closes_gap": "needed for the target",
    "all_components_full": "Every component is at full points.",
    "more_units": "{names} and {more} other units",
    "units_heading": "Results of the units",
    "units_note": (
        "Departments are ranked among themselves; communes and wards are ranked together. A unit that submitted "
        "nothing, or whose every file was rejected, scores 0 on components without data and is still ranked; "
        "late, rejected and missing units are marked for follow-up."
    ),
    "departments": "Departments and agencies",
    "communes_and_wards": "Communes and wards",
    "col_rank": "Rank",
    "col_unit": "Unit",
    "col_unit_type": "Unit type",
    "col_submission": "Submission",
    "col_dti": "DTI",
    "col_grade": "Grade",
    "col_change": "Change",
    "col_components_missing": "Components without data",
    "urging_heading": "Units to follow up",
    "urging_note": (
        "Units that submitted late, sent only rejected files, or did not submit their self-assessment for this "
        "period; rejected units must fix the reasons given and resubmit."
    ),
    "col_status": "Status",
    "col_due_date": "Due date",
    "col_submitted_at": "Submitted at",
    "col_files_rejected": "Files rejected",
    "col_rejection_reasons": "Reasons for rejection",
    "all_on_time": "Every unit submitted on time.",
    "vietnam_time": "%H:%M on %d/%m/%Y (Vietnam time)",
    "date": "%d/%m/%Y",
    "quarantine_heading": "Quarantined data",
    "quarantine_note": "The files and rows below were not scored; the sender must fix the reasons given and resubmit.",
    "col_file": "File",
    "col_row": "Row",
    "col_column": "Column",
    "col_reason": "Reason",
    "whole_file": "whole file",
    "nothing_quarantined": "No file was quarantined in this period.",
    "quality_heading": "Data quality checks",
    "quality_note": (
        "The check suites (Great Expectations) run by this run, on each file's raw data and on the result "
        "tables; every check in detail is in the <a href=\"{href}\">Data Docs</a>."
    ),
    "col_suite": "Suite",
    "col_validations": "Validations",
    "col_passed": "Passed",
    "col_expectations": "Expectations checked",
    "col_failed": "Expectations failed",
    "suite_passed": "Passed",
    "suite_failed": "Failed",
    "no_validations": "This run has recorded no data quality check.",
    "methodology_heading": "Methodology and data sources",
    "methodology_formula": (
        "DTI = points achieved / maximum points of the main indices (scale 0–1), under {legal_document}."
    ),
    "framework": "Index framework: {name} (version {version}).",
    "methodology_estimate": (
        "The official framework has {total} components. Until every one is measured by its official definition, "
        "the DTI is an <strong>estimate</strong>: each main index is valued on the components measured (their "
        "points / their maximum points); a component awaiting the Ministry's assessment or with no data for the "
        "period (its source sent nothing, or its denominator is 0) is not counted as 0. The "
        "range: its bottom if every component not measured earned 0 points, its top if each earned full points. A "
        "component's points are those of the Ministry's appendix once loaded; until then, it is <strong>assumed"
        "</strong> that the components of a main index carry equal points (the main index's points / its official "
        "component count) and that each provincial proxy stands for one official component. The assumption is not "
        "the Ministry's data."
    ),
    "methodology_counts_unverified": (
        " The component count of each main index of version {version} is not verified (only the total of {total} "
        "is): the points are shared equally over all {total} components."
    ),
    "methodology_grades": (
        "The Ministry publishes the provinces' DTI values and ranks, no grades. Grades (Excellent … Poor) are the "
        "province's own scale for its units, set by its own decision."
    ),
    "methodology_pillars": (
        "Each pillar's value = (points of the five foundation indices + points of the pillar's activity index) / "
        "(their maximum points), as the Ministry publishes beside the DTI."
    ),
    "awaited_components": "Components awaiting the Ministry's assessment (no published or sent value yet):",
    "no_data_components": (
        "Components with no data for the period (not counted as 0 points: outside the estimated DTI, inside its "
        "range); collect the data first:"
    ),
    "points_no_data": " Not counting {no_data} component(s) with no data for the period.",
    "collect_data_first": "Collect the data first",
    "number_conventions": "Index values, points and rates use a decimal point (e.g. 0.6123; 612.34 points; 55.3%).",
    "sources_intro": "Data sources of the provincial score:",
    "source_files": "{source}: {files} data files/pages",
    "data_as_of": "Data received up to: {moment}.",
    "run": "Run: <code>{run_id}</code> · Generated {moment}",
    "chart_main_indices_title": "Main index values against the maximum of 1.0",
    "chart_main_indices_caption": (
        "Figure 1. Value of each of the province's main indices (points / max points); the background bar is the "
        "maximum of 1.0."
    ),
    "chart_targets_title": "Actual against target",
    "chart_targets_caption": (
        "Figure 2. Actual and target values of the targets measured on a 0–1 scale (DTI, rates, yes/no); "
        "for the rank see the table above."
    ),
    "chart_units_title": "Distribution of the units' DTI",
    "chart_units_caption": "Figure 3. Number of units per DTI band, departments and communes/wards.",
    "axis_index_value": "Index value",
    "axis_scale_0_1": "Value (scale 0–1)",
    "axis_dti_band": "DTI band",
    "axis_unit_count": "Number of units",
    "legend_actual": "Actual",
    "legend_target": "Target",
}

# A column of the self-assessment template (raw.self_assessment_rows) as its header row prints it,
# in Vietnamese whatever the reader's language: the letters tell a unit which cell to correct.
SUBMISSION_COLUMN_HEADERS: dict[str, str] = {
    "unit_code": "Mã đơn vị",
    "unit_name": "Tên đơn vị",
    "period": "Kỳ đánh giá",
    "component_code": "Mã chỉ số",
    "component_name": "Tên chỉ số",
    "numerator": "Tử số",
    "denominator": "Mẫu số",
    "reported_value": "Giá trị",
    "evidence_document": "Văn bản kiểm chứng",
}

VI_LABELS: dict[str, Mapping] = {
    "unit_type": {"department": "Sở/ban ngành", "commune": "Xã", "ward": "Phường"},
    "submission_status": {
        "on_time": "Nộp đúng hạn",
        "late": "Nộp muộn",
        "rejected": "Bị từ chối (mọi tệp bị cách ly)",
        "missing": "Chưa nộp",
    },
    "index_group": {"foundation": "Nền tảng chung", "activity": "Hoạt động"},
    "responsible_unit": {
        "all": "Các sở, ban, ngành và xã, phường",
        "department": "Các sở, ban, ngành",
        "commune": "Các xã, phường",
        "focal_point": "Sở Khoa học và Công nghệ (đầu mối)",
        "province_systems": "Hệ thống dùng chung của tỉnh",
        "ministry": "Bộ Khoa học và Công nghệ (Bộ tự đánh giá)",
    },
    "yes_no": {1.0: "Có", 0.5: "Một phần", 0.0: "Không"},
    "value_source": {
        "unit_reports": "Báo cáo tự đánh giá của các sở, ban, ngành và xã, phường",
        "procedure_system": "Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh",
        "signature_certificates": "Tệp cấp chứng thư chữ ký số của các tổ chức cung cấp dịch vụ",
        "ministry": "Số liệu do Bộ đo lường, khảo sát (đầu mối nhập theo văn bản Bộ công bố hoặc gửi)",
    },
    "ranking_group": {"department": "Sở, ban, ngành", "commune": "Xã, phường"},
    "score_status": {
        "scored": "Có dữ liệu",
        "missing": "Thiếu dữ liệu",
        "awaiting": "Chờ Bộ đánh giá",
        "not_applicable": "Không áp dụng (không có gì để tính trong kỳ): giữ điểm tối đa",
        "no_data": "Không có dữ liệu",
    },
    # What stands behind a province component's definition (dti_components.provenance).
    "provenance": {
        "official": "Chính thức (phụ lục của Bộ)",
        "provincial_proxy": "Chỉ số thay thế của tỉnh",
        "placeholder": "Giữ chỗ, không thay cho chỉ số chính thức nào",
    },
    "submission_column": SUBMISSION_COLUMN_HEADERS,
}

EN_LABELS: dict[str, Mapping] = {
    "unit_type": {"department": "Department", "commune": "Commune", "ward": "Ward"},
    "submission_status": {
        "on_time": "On time",
        "late": "Late",
        "rejected": "Rejected (every file quarantined)",
        "missing": "Not submitted",
    },
    "index_group": {"foundation": "Foundation", "activity": "Activity"},
    "responsible_unit": {
        "all": "Departments, communes and wards",
        "department": "Departments",
        "commune": "Communes and wards",
        "focal_point": "Department of Science and Technology (focal point)",
        "province_systems": "Province-wide shared systems",
        "ministry": "The Ministry of Science and Technology (its own assessment)",
    },
    "yes_no": {1.0: "Yes", 0.5: "Partly", 0.0: "No"},
    "value_source": {
        "unit_reports": "Self-assessments of departments, communes and wards",
        "procedure_system": "The province's administrative-procedure system",
        "signature_certificates": "Digital-signature issuance files of certificate providers",
        "ministry": (
            "Values the Ministry measures or surveys (entered by the focal point from what it publishes or sends)"
        ),
    },
    "ranking_group": {"department": "Departments", "commune": "Communes and wards"},
    "score_status": {
        "scored": "Has data",
        "missing": "Missing data",
        "awaiting": "Awaiting the Ministry's assessment",
        "not_applicable": "Not applicable (nothing to count in the period): full points kept",
        "no_data": "No data",
    },
    "provenance": {
        "official": "Official (the Ministry's appendix)",
        "provincial_proxy": "The province's proxy indicator",
        "placeholder": "Placeholder, standing for no official component",
    },
    "submission_column": SUBMISSION_COLUMN_HEADERS,
}


@dataclass(frozen=True)
class Language:
    """One language of the report: its catalog, its labels, how it writes numbers and its file name."""

    code: str
    file_name: str
    decimal_mark: str
    thousands_mark: str
    messages: Mapping[str, str]
    labels: Mapping[str, Mapping]

    def t(self, key: str, **values) -> Markup:
        """The message ``key`` with ``values`` filled in (and escaped)."""
        return Markup(self.messages[key]).format(**values)

    def text(self, key: str, **values) -> str:
        """The message as plain text, for places that are not HTML (chart labels, ``strftime`` formats)."""
        return self.messages[key].format(**values) if values else self.messages[key]

    def label(self, kind: str, code, default: str | None = None) -> str:
        """A code's label ('late' -> 'Nộp muộn'); an unknown code shows as itself (or ``default``)."""
        found = self.labels[kind].get(code)
        if found is not None:
            return found
        return default if default is not None else str(code)

    def name(self, name_vi: str, name_en: str | None) -> str:
        """The English name where the marts have one; the Vietnamese name otherwise, and always in Vietnamese."""
        return name_en if self.code == "en" and name_en else name_vi


VIETNAMESE = Language("vi", "index.html", ",", ".", VI_MESSAGES, VI_LABELS)
ENGLISH = Language("en", "index.en.html", ".", ",", EN_MESSAGES, EN_LABELS)
LANGUAGES = (VIETNAMESE, ENGLISH)
